import { describe, expect, it } from 'vitest';
import type { CommandReply } from '../../engine/bus/command-client.ts';
import { EventStream } from '../../engine/bus/event-stream.ts';
import type { CommandSink, ComponentLogic } from '../../engine/component/logic.ts';
import { ComponentRuntime } from '../../engine/component/runtime.ts';
import type { CommandBody, Sequenced } from '../../engine/protocol/events.ts';
import { openReadableLog } from '../../engine/store/log.ts';
import { Collector, backbonesPerTest, waitFor, type Backbone } from './helpers/backbone.ts';

// Decision 183: a component in the sequencer's process sends through Sequencer.localPort and its stream takes
// stored frames through offerLocal; both must behave exactly as the bus does (real ZeroMQ and SQLite here,
// with the bus copies of every frame still arriving beside the local ones).

const backbones = backbonesPerTest();

/** Sends one OrderAccepted per SessionReady and per `ask`, and counts what it applied. */
class Sender implements ComponentLogic {
  readonly role = 'sender';
  applied = 0;
  sink: CommandSink | undefined;
  apply(): void {
    this.applied++;
  }
  onActivate(out: CommandSink): void {
    this.sink = out;
  }
  stateHash(): string {
    return String(this.applied);
  }
}

async function openSession(b: Backbone, roles: [string, string][]): Promise<void> {
  let cseq = b.sequencer.nextCseq('host');
  const host = (body: CommandBody) => b.sequencer.request({ src: 'host', cseq: cseq++, body });
  expect(await host({ type: 'OpenSession' })).toBeUndefined();
  for (const [role, instance] of roles) expect(await host({ type: 'ComponentActivated', role, instance })).toBeUndefined();
}

/** Seqs delivered to a collector, in delivery order. */
const seqsOf = (col: Collector) => col.events.map((x) => x.e.seq);
const oneToN = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('in-process bus short-cut (decision 183)', () => {
  it('a local port sequences commands in order and answers refusals as the bus does', async () => {
    const b = await backbones.start();
    await openSession(b, [['sender', 'sender-1']]);
    const replies: CommandReply[] = [];
    const active = b.sequencer.localPort('sender-1');
    const stranger = b.sequencer.localPort('stranger-1');
    backbones.defer(() => active.close(), () => stranger.close());
    stranger.onReply((r) => replies.push(r));
    active.onReply((r) => replies.push(r));
    expect(active.direct).toBe(true);
    const before = b.sequencer.position.seq;
    for (let i = 1; i <= 5; i++) active.send([{ cseq: i, body: { type: 'OrderAccepted', orderId: 100 + i } }]);
    active.send([{ cseq: 3, body: { type: 'OrderAccepted', orderId: 103 } }]); // a resend: dropped without a reply
    stranger.send([{ cseq: 1, body: { type: 'OrderAccepted', orderId: 1 } }]);
    await waitFor(() => b.sequencer.position.seq === before + 5 && replies.length === 1, 'five sequenced and one refusal');
    expect(replies).toEqual([{ cseq: 1, code: 'NOT_ACTIVE', message: 'stranger-1 is not active for any role' }]);
    const rl = openReadableLog(b.dbPath);
    backbones.defer(() => rl.close());
    const mine: Sequenced[] = [];
    rl.replay(b.sequencer.position.session, (e) => {
      if (e.src === 'sender-1') mine.push(e);
    });
    expect(mine.map((e) => [e.cseq, e.event])).toEqual(oneToN(5).map((i) => [i, { type: 'OrderAccepted', orderId: 100 + i }]));
    // A closed port sends nothing more.
    await active.close();
    active.send([{ cseq: 6, body: { type: 'OrderAccepted', orderId: 106 } }]);
    // One more flush through the sequencer (refused: the session is open): anything enqueued went with it.
    expect((await b.sequencer.request({ src: 'host', cseq: b.sequencer.nextCseq('host'), body: { type: 'OpenSession' } }))?.code).toBe('SESSION_ALREADY_OPEN');
    expect(b.sequencer.position.seq).toBe(before + 5);
  });

  it('a stream offered stored frames delivers every event once, in order, beside the bus copies', async () => {
    const b = await backbones.start();
    await openSession(b, [['sender', 'sender-1']]);
    const s = new EventStream({ events: b.endpoints.events, replay: b.endpoints.replay });
    const col = new Collector();
    s.addListener(col);
    backbones.defer(() => s.close());
    await s.start();
    b.sequencer.onStoredFrames((f) => s.offerLocal(f));
    const head = b.sequencer.position.seq;
    let cseq = b.sequencer.nextCseq('host');
    let sent = 0;
    for (let i = 0; i < 200; i++) {
      // Some batches of one, some of several: frames of every size, each offered and each also published.
      const n = (i % 3) + 1;
      sent += n;
      for (let k = 0; k < n; k++) b.sequencer.submit([{ src: 'host', cseq: cseq++, body: { type: 'ComponentActivated', role: `r${k}`, instance: `x${i}` } }]);
      if (i % 7 === 0) await new Promise((r) => setImmediate(r));
    }
    const last = head + sent;
    await waitFor(() => s.position.seq === last, 'the stream at the head');
    expect(s.localFrames).toBeGreaterThan(0);
    // Then only the bus: the next frame comes over PUB → SUB, after every earlier bus copy (one socket, FIFO),
    // so by the time it is delivered every copy of an offered frame has been received and dropped.
    b.sequencer.onStoredFrames(undefined);
    b.sequencer.submit([{ src: 'host', cseq: cseq++, body: { type: 'ComponentActivated', role: 'final', instance: 'y' } }]);
    await waitFor(() => s.position.seq === last + 1, 'the bus-only frame');
    expect(seqsOf(col)).toEqual(oneToN(last + 1));
    expect(s.gapFills).toBe(0);
  });

  it('a stream fed only locally (decision 210): no bus copies, offers buffered while it rewinds, missed frames fetched', async () => {
    const b = await backbones.start();
    await openSession(b, [['sender', 'sender-1']]);
    let cseq = b.sequencer.nextCseq('host');
    const one = (tag: string) => b.sequencer.submit([{ src: 'host', cseq: cseq++, body: { type: 'ComponentActivated', role: 'r', instance: tag } }]);
    // Events before the stream starts: it must rewind them from the replay service.
    for (let i = 0; i < 40; i++) one(`before-${i}`);
    await waitFor(() => b.sequencer.position.seq >= 43, 'the early events stored');
    const s = new EventStream({ events: b.endpoints.events, replay: b.endpoints.replay, localFeed: true });
    const col = new Collector();
    s.addListener(col);
    backbones.defer(() => s.close());
    let dropNext = false;
    b.sequencer.onStoredFrames((f) => {
      if (dropNext) dropNext = false;
      else s.offerLocal(f);
    });
    b.sequencer.onHeadBeacon((h) => s.offerLocal(h));
    backbones.defer(() => (b.sequencer.onStoredFrames(undefined), b.sequencer.onHeadBeacon(undefined)));
    const started = s.start();
    // Frames stored while it rewinds are offered then: they wait in its buffer.
    for (let i = 0; i < 30; i++) one(`during-${i}`);
    await started;
    for (let i = 0; i < 100; i++) {
      one(`after-${i}`);
      if (i % 9 === 0) await new Promise((r) => setImmediate(r));
    }
    await waitFor(() => s.position.seq === b.sequencer.position.seq, 'the stream at the head');
    expect(seqsOf(col)).toEqual(oneToN(b.sequencer.position.seq));
    expect(s.localFrames).toBeGreaterThan(0);
    // A stored frame that is never offered (a consumer's throw in the flush): the next offer shows the gap and the
    // replay service fills it; nothing else would bring it, there is no bus copy.
    const fills = s.gapFills;
    const at = b.sequencer.position.seq;
    dropNext = true;
    one('missed');
    await waitFor(() => b.sequencer.position.seq === at + 1, 'the missed frame stored');
    expect(dropNext).toBe(false);
    one('next');
    await waitFor(() => s.position.seq === at + 2, 'the missed frame fetched');
    expect(s.gapFills).toBe(fills + 1);
    // The last frame missed, nothing after it: the head beacon shows it.
    dropNext = true;
    one('last');
    await waitFor(() => s.position.seq === at + 3, 'the last missed frame fetched after a head beacon');
    expect(s.gapFills).toBe(fills + 2);
    expect(seqsOf(col)).toEqual(oneToN(b.sequencer.position.seq));
  });

  it('a runtime on a local port and a locally fed stream: commands answered, events applied once', async () => {
    const b = await backbones.start();
    await openSession(b, [['sender', 'sender-1']]);
    const logic = new Sender();
    const rt = new ComponentRuntime({ id: 'sender-1', logic, endpoints: b.endpoints, resendMs: 60_000, commandPort: (id) => b.sequencer.localPort(id) });
    backbones.defer(() => rt.stop());
    const s = new EventStream({ events: b.endpoints.events, replay: b.endpoints.replay });
    s.addListener(rt);
    backbones.defer(() => s.close());
    rt.connect();
    await s.start();
    await rt.caughtUp();
    b.sequencer.onStoredFrames((f) => s.offerLocal(f));
    await waitFor(() => rt.lifecycle === 'active', 'active');
    for (let i = 0; i < 50; i++) logic.sink!.send({ type: 'OrderAccepted', orderId: i });
    await waitFor(() => rt.unanswered === 0 && s.position.seq === b.sequencer.position.seq, 'every command answered by its event');
    expect(s.localFrames).toBeGreaterThan(0);
    b.sequencer.onStoredFrames(undefined);
    logic.sink!.send({ type: 'OrderAccepted', orderId: 50 });
    await waitFor(() => rt.unanswered === 0 && s.position.seq === b.sequencer.position.seq, 'the bus-only frame');
    expect(logic.applied).toBe(b.sequencer.position.seq);
  });
});
