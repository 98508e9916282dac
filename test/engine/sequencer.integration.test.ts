import { describe, expect, it } from 'vitest';
import { CommandClient, type CommandReply } from '../../engine/bus/command-client.ts';
import { EventStream } from '../../engine/bus/event-stream.ts';
import { decodeFrame } from '../../engine/protocol/codec.ts';
import type { Sequenced } from '../../engine/protocol/events.ts';
import { openReadableLog } from '../../engine/store/log.ts';
import { Collector, backbonesPerTest, waitFor, type Backbone } from './helpers/backbone.ts';

let bb: Backbone | undefined;
const backbones = backbonesPerTest();

async function openWithClients(n: number): Promise<CommandClient[]> {
  bb = await backbones.start();
  let cseq = 1;
  bb.sequencer.submit([{ src: 'host', cseq: cseq++, body: { type: 'OpenSession' } }]);
  const clients: CommandClient[] = [];
  for (let i = 0; i < n; i++) {
    bb.sequencer.submit([{ src: 'host', cseq: cseq++, body: { type: 'ComponentActivated', role: `client${i}`, instance: `c${i}` } }]);
    const c = new CommandClient(bb.endpoints.commands, `c${i}`);
    backbones.defer(() => c.close());
    clients.push(c);
  }
  await waitFor(() => bb!.sequencer.position.seq === 2 + n, 'session open and components active');
  return clients;
}

function stream(b: Backbone, extra: Partial<ConstructorParameters<typeof EventStream>[0]> = {}): { s: EventStream; col: Collector } {
  const s = new EventStream({ events: b.endpoints.events, replay: b.endpoints.replay, ...extra });
  const col = new Collector();
  s.addListener(col);
  backbones.defer(() => s.close());
  return { s, col };
}

describe('sequencer over real ZeroMQ and SQLite', () => {
  it('sequences commands from several components gap-free, FIFO per component, identical in store and on the wire', async () => {
    const clients = await openWithClients(4);
    const { s, col } = stream(bb!);
    await s.start();
    const perClient = 2000;
    for (const [i, c] of clients.entries()) {
      for (let k = 0; k < perClient; k += 100) {
        const batch = [];
        for (let j = k; j < k + 100; j++) batch.push({ cseq: j + 1, body: { type: 'OrderAccepted' as const, orderId: i * 1_000_000 + j } });
        c.send(batch);
      }
    }
    const total = 2 + 4 + 4 * perClient; // opened + ready, activations, commands
    await waitFor(() => col.events.length >= total, 'all events');
    expect(col.events).toHaveLength(total);
    const wire = col.events.map((x) => x.e);
    wire.forEach((e, i) => expect(e.seq).toBe(i + 1));
    for (let i = 0; i < 4; i++) {
      const mine = wire.filter((e) => e.src === `c${i}`);
      expect(mine).toHaveLength(perClient);
      expect(mine.map((e) => e.cseq)).toEqual(Array.from({ length: perClient }, (_, j) => j + 1));
      expect(mine.map((e) => (e.event as { orderId: number }).orderId)).toEqual(Array.from({ length: perClient }, (_, j) => i * 1_000_000 + j));
    }
    const stored = [...openReadableLog(bb!.dbPath).events(1)];
    expect(stored).toEqual(wire);
  });

  it('drops a resent command: one event per (component, commandSeq)', async () => {
    const [c] = await openWithClients(1);
    const { s, col } = stream(bb!);
    await s.start();
    const cmd = { cseq: 1, body: { type: 'OrderAccepted' as const, orderId: 42 } };
    c!.send([cmd]);
    c!.send([cmd]);
    c!.send([cmd, { cseq: 2, body: { type: 'OrderAccepted' as const, orderId: 43 } }]);
    await waitFor(() => col.events.some((x) => x.e.cseq === 2 && x.e.src === 'c0'), 'second command');
    await new Promise((r) => setTimeout(r, 50));
    const mine = col.events.filter((x) => x.e.src === 'c0');
    expect(mine.map((x) => x.e.cseq)).toEqual([1, 2]);
  });

  it('rejects undecodable bytes and invalid commands with a reason, keeps working, log unchanged', async () => {
    const [c] = await openWithClients(1);
    const replies: CommandReply[] = [];
    c!.onReply((r) => replies.push(r));
    const before = bb!.log.lastSeq(1);
    const beforeFrames = bb!.log.sessions()[0]!.frames;
    c!.sendRaw(new Uint8Array([0xde, 0xad, 0xbe, 0xef]));
    c!.sendRaw(new Uint8Array([]));
    const rogue = new CommandClient(bb!.endpoints.commands, 'rogue');
    backbones.defer(() => rogue.close());
    const rogueReplies: CommandReply[] = [];
    rogue.onReply((r) => rogueReplies.push(r));
    rogue.send([{ cseq: 1, body: { type: 'OrderAccepted', orderId: 1 } }]);
    c!.send([{ cseq: 1, body: { type: 'OpenSession' } }]);
    await waitFor(() => replies.length >= 3 && rogueReplies.length >= 1, 'rejections');
    expect(replies[0]!.code).toBe('BAD_COMMAND');
    expect(replies[0]!.message).toMatch(/magic byte/);
    expect(replies.find((r) => r.cseq === 1)!.code).toBe('FORBIDDEN');
    expect(rogueReplies[0]).toMatchObject({ cseq: 1, code: 'NOT_ACTIVE' });
    expect(bb!.log.lastSeq(1)).toBe(before);
    expect(bb!.log.sessions()[0]!.frames).toBe(beforeFrames);
    c!.send([{ cseq: 2, body: { type: 'OrderAccepted', orderId: 7 } }]);
    await waitFor(() => bb!.log.lastSeq(1) === before + 1, 'a good command after bad ones');
  });

  it('a subscriber that loses frames ends with exactly the events of one that lost none', async () => {
    const clients = await openWithClients(2);
    const good = stream(bb!);
    let n = 0;
    const lossy = stream(bb!, { dropLive: () => n++ % 3 === 0 });
    await good.s.start();
    await lossy.s.start();
    for (let k = 0; k < 300; k++) {
      for (const [i, c] of clients.entries()) c.send([{ cseq: k + 1, body: { type: 'OrderAccepted', orderId: i * 1000 + k } }]);
      if (k % 50 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    const target = bb!.sequencer.position.seq;
    expect(target).toBeGreaterThan(0);
    await waitFor(() => good.col.events.length === bb!.sequencer.position.seq && bb!.sequencer.position.seq >= 600, 'good subscriber');
    await waitFor(() => lossy.col.events.length === good.col.events.length, 'lossy subscriber to catch up');
    expect(lossy.col.events).toEqual(good.col.events);
    expect(lossy.s.gapFills).toBeGreaterThan(0);
  });

  it('a late joiner rewinds from seq 1 and then follows live', async () => {
    const [c] = await openWithClients(1);
    for (let k = 0; k < 500; k++) c!.send([{ cseq: k + 1, body: { type: 'OrderAccepted', orderId: k } }]);
    await waitFor(() => bb!.sequencer.position.seq >= 503, 'first events');
    const late = stream(bb!);
    await late.s.start();
    expect(late.col.events.length).toBe(bb!.sequencer.position.seq);
    c!.send([{ cseq: 501, body: { type: 'OrderAccepted', orderId: 501 } }]);
    await waitFor(() => late.col.events.length === 504, 'live event after rewind');
    late.col.events.forEach((x, i) => expect(x.e.seq).toBe(i + 1));
  });

  it('publishes exactly the stored frame bytes', async () => {
    const [c] = await openWithClients(1);
    const { Subscriber } = await import('zeromq');
    const sub = new Subscriber();
    sub.connect(bb!.endpoints.events);
    sub.subscribe();
    backbones.defer(() => sub.close());
    await new Promise((r) => setTimeout(r, 50));
    c!.send([{ cseq: 1, body: { type: 'OrderAccepted', orderId: 9 } }]);
    let msg: Buffer | undefined;
    let frame;
    do {
      [msg] = await sub.receive();
      frame = msg![0] === 0x4f ? decodeFrame(msg!) : undefined;
    } while (!frame || frame.events[0]!.event.type !== 'OrderAccepted');
    const row = [...bb!.log.frames(1, frame.firstSeq, frame.firstSeq)][0]!;
    expect(Buffer.from(row.bytes).equals(msg!)).toBe(true);
    expect((frame.events[0] as Sequenced).event).toEqual({ type: 'OrderAccepted', orderId: 9 });
  });
});
