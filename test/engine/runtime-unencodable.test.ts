import { describe, expect, it } from 'vitest';
import { ComponentRuntime } from '../../engine/component/runtime.ts';
import type { CommandReply } from '../../engine/bus/command-client.ts';
import type { CommandSink, ComponentLogic } from '../../engine/component/logic.ts';
import type { CommandBody, Sequenced } from '../../engine/protocol/events.ts';
import { Collector, backbonesPerTest, waitFor } from './helpers/backbone.ts';
import { EventStream } from '../../engine/bus/event-stream.ts';

const backbones = backbonesPerTest();

/** A component that keeps its sink and every refusal it is told of. */
class Sender implements ComponentLogic {
  readonly role = 'sender';
  sink: CommandSink | undefined;
  refused: { cseq: number; body: CommandBody; reply: CommandReply }[] = [];
  apply(_s: number, _e: Sequenced): void {}
  onActivate(out: CommandSink): void {
    this.sink = out;
  }
  onRefused(cseq: number, body: CommandBody, reply: CommandReply): 'retry' {
    this.refused.push({ cseq, body, reply });
    return 'retry'; // even a retry must not send a command the encoder refuses again
  }
  stateHash(): string {
    return '';
  }
}

async function activeSender(direct: boolean) {
  const b = await backbones.start();
  let cseq = 1;
  const host = (body: CommandBody) => b.sequencer.request({ src: 'host', cseq: cseq++, body });
  expect(await host({ type: 'OpenSession' })).toBeUndefined();
  expect(await host({ type: 'ComponentActivated', role: 'sender', instance: 'sender-1' })).toBeUndefined();
  const logic = new Sender();
  const rt = new ComponentRuntime({
    id: 'sender-1',
    logic,
    endpoints: b.endpoints,
    resendMs: 50,
    ...(direct ? { commandPort: (id: string) => b.sequencer.localPort(id) } : {}),
  });
  backbones.defer(() => rt.stop());
  await rt.start();
  await waitFor(() => rt.lifecycle === 'active', 'active');
  const col = new Collector();
  const s = new EventStream({ events: b.endpoints.events, replay: b.endpoints.replay });
  s.addListener(col);
  backbones.defer(() => s.close());
  await s.start({ session: 1, seq: 0 });
  return { b, rt, logic, col };
}

describe('a command the encoder refuses, from the runtime', () => {
  for (const direct of [true, false]) {
    it(`is refused alone as BAD_COMMAND naming the field; the others in its batch are sequenced (${direct ? 'in-process port' : 'bus'})`, async () => {
      const { rt, logic, col } = await activeSender(direct);
      const sink = logic.sink!;
      // Three commands in one turn: one flush, one batch. The middle one's orderId is outside the codec's range.
      const good1 = sink.send({ type: 'OrderAccepted', orderId: 7 });
      const bad = sink.send({ type: 'OrderAccepted', orderId: -1 });
      const good2 = sink.send({ type: 'OrderAccepted', orderId: 8 });
      await waitFor(() => col.events.filter((x) => x.e.src === 'sender-1').length === 2, 'the two good commands sequenced');
      expect(col.events.filter((x) => x.e.src === 'sender-1').map((x) => x.e.cseq)).toEqual([good1, good2]);
      expect(logic.refused).toHaveLength(1);
      expect(logic.refused[0]!.cseq).toBe(bad);
      expect(logic.refused[0]!.reply.code).toBe('BAD_COMMAND');
      expect(logic.refused[0]!.reply.message).toContain('OrderAccepted.orderId');
      // Not kept for a resend (it could never be encoded), and nothing outstanding stays.
      await new Promise((r) => setTimeout(r, 200));
      expect(logic.refused).toHaveLength(1);
      expect(rt.unanswered).toBe(0);
      // The runtime goes on.
      const later = sink.send({ type: 'OrderAccepted', orderId: 9 });
      await waitFor(() => col.events.some((x) => x.e.src === 'sender-1' && x.e.cseq === later), 'a later command sequenced');
    });
  }
});
