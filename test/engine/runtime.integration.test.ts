import { describe, expect, it } from 'vitest';
import { ComponentRuntime } from '../../engine/component/runtime.ts';
import type { CommandSink, ComponentLogic } from '../../engine/component/logic.ts';
import type { CommandBody, Sequenced } from '../../engine/protocol/events.ts';
import { Collector, backbonesPerTest, waitFor } from './helpers/backbone.ts';
import { EventStream } from '../../engine/bus/event-stream.ts';

const backbones = backbonesPerTest();

/** A component that asks for one event on each SessionReady, and keeps refused commands. */
class Asker implements ComponentLogic {
  readonly role = 'asker';
  seen = 0;
  sink: CommandSink | undefined;
  apply(_s: number, _e: Sequenced): void {
    this.seen++;
  }
  react(_s: number, e: Sequenced, out: CommandSink): void {
    if (e.event.type === 'SessionReady') out.send({ type: 'OrderAccepted', orderId: 1000 + e.event.restoredOrders });
  }
  onActivate(out: CommandSink): void {
    this.sink = out;
  }
  onRefused(): 'retry' {
    return 'retry';
  }
  stateHash(): string {
    return String(this.seen);
  }
}

describe('component runtime', () => {
  it('a command refused while the session is closed gets in first when the next session opens', async () => {
    const b = await backbones.start();
    let cseq = 1;
    const host = (body: CommandBody) => b.sequencer.request({ src: 'host', cseq: cseq++, body });
    expect(await host({ type: 'OpenSession' })).toBeUndefined();
    expect(await host({ type: 'ComponentActivated', role: 'asker', instance: 'asker-1' })).toBeUndefined();
    const logic = new Asker();
    const rt = new ComponentRuntime({ id: 'asker-1', logic, endpoints: b.endpoints, resendMs: 60_000 });
    backbones.defer(() => rt.stop());
    await rt.start();
    await waitFor(() => rt.lifecycle === 'active', 'active');
    cseq = b.sequencer.nextCseq('host');
    expect(await host({ type: 'CloseSession' })).toBeUndefined();
    await waitFor(() => rt.position.seq === b.sequencer.position.seq, 'saw the close');
    const refusedCseq = logic.sink!.send({ type: 'OrderAccepted', orderId: 1 });
    await waitFor(() => b.sequencer.stats.rejected > 0, 'refused while closed');
    expect(rt.unanswered).toBe(1);
    cseq = b.sequencer.nextCseq('host');
    expect(await host({ type: 'OpenSession' })).toBeUndefined();
    const col = new Collector();
    const s = new EventStream({ events: b.endpoints.events, replay: b.endpoints.replay });
    s.addListener(col);
    backbones.defer(() => s.close());
    await s.start({ session: 2, seq: 0 });
    await waitFor(() => col.events.filter((x) => x.e.src === 'asker-1').length === 2, 'both commands in session 2', 5000);
    const mine = col.events.filter((x) => x.e.src === 'asker-1').map((x) => ({ cseq: x.e.cseq, event: x.e.event }));
    expect(mine[0]).toEqual({ cseq: refusedCseq, event: { type: 'OrderAccepted', orderId: 1 } });
    expect(mine[1]!.cseq).toBeGreaterThan(refusedCseq);
    expect(rt.unanswered).toBe(0);
  });
});
