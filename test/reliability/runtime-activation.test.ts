import { afterEach, describe, expect, it } from 'vitest';
import { inprocEndpoints } from '../../engine/bus/endpoints.ts';
import type { CommandSink, ComponentLogic } from '../../engine/component/logic.ts';
import { ComponentRuntime } from '../../engine/component/runtime.ts';
import type { OrdoEvent, Sequenced } from '../../engine/protocol/events.ts';

/**
 * Found by the failover test (an order routed in the same frame as the
 * gateway standby's activation never reached the venue): an instance that is
 * activated part-way through a delivered batch must react to every event
 * after its activation. onActivate covers the state up to the activation,
 * react everything after it; nothing may fall between the two.
 */

class Recorder implements ComponentLogic {
  readonly role = 'gateway';
  readonly applied: number[] = [];
  readonly reacted: number[] = [];
  activatedAfter = -1;
  apply(_session: number, e: Sequenced): void {
    this.applied.push(e.seq);
  }
  react(_session: number, e: Sequenced): void {
    this.reacted.push(e.seq);
  }
  onActivate(_out: CommandSink): void {
    this.activatedAfter = this.applied.at(-1) ?? 0;
  }
  stateHash(): string {
    return '';
  }
}

let seq = 0;
const ev = (event: OrdoEvent): Sequenced => ({ seq: ++seq, ts: seq, src: 'sequencer', cseq: 0, event });
const runtimes: ComponentRuntime[] = [];
afterEach(async () => {
  for (const rt of runtimes.splice(0)) await rt.stop();
});

async function standby(id: string): Promise<{ rt: ComponentRuntime; logic: Recorder }> {
  seq = 0;
  const logic = new Recorder();
  const rt = new ComponentRuntime({ id, logic, endpoints: inprocEndpoints(`rt-act-${id}-${process.pid}`) });
  runtimes.push(rt);
  rt.onEvents(1, [ev({ type: 'SessionOpened', sessionId: 1, previousSessionId: 0, orderIdBase: 1 }), ev({ type: 'SessionReady', restoredOrders: 0 })]);
  await rt.caughtUp(); // live, standing by (not active in the log)
  expect(rt.lifecycle).toBe('standby');
  return { rt, logic };
}

describe('component runtime: activation in the middle of a delivered batch', () => {
  it('reacts to every event after its ComponentActivated in the same batch, and to none before', async () => {
    const { rt, logic } = await standby('gateway-9');
    rt.onEvents(1, [
      ev({ type: 'OrderRouted', orderId: 1, venue: 'XNAS' }), // seq 3: before activation, onActivate's to handle
      ev({ type: 'ComponentActivated', role: 'gateway', instance: 'gateway-9' }), // seq 4
      ev({ type: 'OrderRouted', orderId: 2, venue: 'XNAS' }), // seq 5: after, react's
      ev({ type: 'OrderRouted', orderId: 3, venue: 'XNAS' }), // seq 6
    ]);
    expect(rt.lifecycle).toBe('active');
    expect(logic.activatedAfter).toBe(4);
    expect(logic.reacted).toEqual([5, 6]);
  });

  it('stops reacting right after its deactivation in the same batch', async () => {
    const { rt, logic } = await standby('gateway-8');
    rt.onEvents(1, [ev({ type: 'ComponentActivated', role: 'gateway', instance: 'gateway-8' })]);
    expect(rt.lifecycle).toBe('active');
    rt.onEvents(1, [ev({ type: 'OrderRouted', orderId: 1, venue: 'XNAS' }), ev({ type: 'ComponentActivated', role: 'gateway', instance: 'gateway-7' }), ev({ type: 'OrderRouted', orderId: 2, venue: 'XNAS' })]);
    expect(rt.lifecycle).toBe('standby');
    expect(logic.reacted).toEqual([4]);
  });
});
