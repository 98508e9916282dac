import { describe, expect, it } from 'vitest';
import { orderSession } from '../../../bench/session.ts';
import type { Sequenced } from '../../../engine/protocol/events.ts';
import { RiskState } from '../../../engine/oms/exposure/risk-state.ts';
import { loadReferenceData } from '../../../engine/oms/reference.ts';
import { OmsSequencerPolicy } from '../../../engine/oms/sequencer-policy.ts';

/** A session with fills (positions), then risk's own events on top, in seq order. */
function session(orderEvents: number): Sequenced[] {
  const events = [...orderSession(orderEvents)];
  let { seq, ts } = events[events.length - 1]!;
  const add = (event: Sequenced['event']) => events.push({ seq: ++seq, ts: ++ts, src: 'host', cseq: 0, event });
  add({ type: 'LimitsChanged', clientId: 'ALPHA', by: 'ops', maxOrderQuantity: 500 });
  add({ type: 'TradingHalted', clientId: 'CHARLIE', by: 'ops', text: 'test' });
  add({ type: 'RestrictedListChanged', symbol: 'AAPL', restricted: true, by: 'ops', text: 'test' });
  return events;
}

describe("start-up's shared risk state (the policy borrows the host's while recovering)", () => {
  const events = session(30_000);
  const half = Math.floor(events.length / 2);

  it('RiskState.copy is equal (same hash) and independent: folding more into either leaves the other as it was', () => {
    const a = new RiskState();
    for (const e of events.slice(0, half)) a.apply(e);
    const b = a.copy();
    expect(b.stateHash()).toBe(a.stateHash());
    expect(b.lastSeq).toBe(a.lastSeq);
    const atHalf = a.stateHash();
    for (const e of events.slice(half)) b.apply(e);
    expect(a.stateHash()).toBe(atHalf);
    for (const e of events.slice(half)) a.apply(e);
    const whole = new RiskState();
    for (const e of events) whole.apply(e);
    expect(a.stateHash()).toBe(whole.stateHash());
    expect(b.stateHash()).toBe(whole.stateHash());
    expect(whole.holdings().next().done).toBe(false);
  });

  it("a policy that shared the host's risk state during recovery takes the same snapshot as one that folded its own, and the host's later events do not reach it", () => {
    const reference = loadReferenceData();
    const own = new OmsSequencerPolicy(reference);
    const sharing = new OmsSequencerPolicy(reference);
    const host = new RiskState();
    sharing.shareRiskWhileRecovering(host);
    // Recovery: the sequencer applies each event to its policy, then hands it to the host's consumers.
    for (const e of events.slice(0, half)) {
      own.apply(1, e);
      sharing.apply(1, e);
      host.apply(e);
    }
    sharing.endRiskSharing();
    // Live: the policy applies an event when it is sequenced; the host's copy runs behind, then diverges here.
    for (const e of events.slice(half)) {
      own.apply(1, e);
      sharing.apply(1, e);
    }
    const last = events[events.length - 1]!;
    host.apply({ seq: last.seq + 1, ts: last.ts + 1, src: 'host', cseq: 0, event: { type: 'TradingHalted', clientId: '', by: 'ops', text: 'host only' } });
    const snap = sharing.snapshot();
    expect(snap).toEqual(own.snapshot());
    expect(snap.body.risk?.positions?.length ?? 0).toBeGreaterThan(0);
  });

  it('refuses to end sharing when the shared state is not where the policy is (a wiring mistake)', () => {
    const policy = new OmsSequencerPolicy(loadReferenceData());
    const host = new RiskState();
    policy.shareRiskWhileRecovering(host);
    for (const e of events.slice(0, 100)) policy.apply(1, e);
    expect(() => policy.endRiskSharing()).toThrow(/shared during recovery is at seq 0, the policy at 100/);
  });
});

describe("the policy reads the host's risk state for good (issue 15: one RiskState fold per event)", () => {
  const events = session(30_000);
  const last = events[events.length - 1]!;

  it('takes the same close snapshot as a policy folding its own, with the host any number of events behind', () => {
    const reference = loadReferenceData();
    for (const behind of [0, 1, 7, 500]) {
      const own = new OmsSequencerPolicy(reference);
      const sharing = new OmsSequencerPolicy(reference);
      const host = new RiskState();
      sharing.shareRisk(host);
      // Live: the policy applies each event as it is sequenced; the host folds it when the stream delivers it.
      events.forEach((e, i) => {
        own.apply(1, e);
        sharing.apply(1, e);
        if (i >= behind) host.apply(events[i - behind]!);
      });
      expect(host.lastSeq).toBe(behind === 0 ? last.seq : events[events.length - 1 - behind]!.seq);
      const snap = sharing.snapshot();
      expect(snap).toEqual(own.snapshot());
      expect(snap.body.risk?.positions?.length ?? 0).toBeGreaterThan(0);
      expect(snap.body.risk?.halts?.length ?? 0).toBe(1);
      // Taking the snapshot folds nothing into the host's state.
      expect(host.lastSeq).toBe(behind === 0 ? last.seq : events[events.length - 1 - behind]!.seq);
    }
  });

  it('forgets the events of a batch that was refused (reset, then the logged events applied again)', () => {
    const reference = loadReferenceData();
    const own = new OmsSequencerPolicy(reference);
    const sharing = new OmsSequencerPolicy(reference);
    const host = new RiskState();
    sharing.shareRisk(host);
    for (const e of events) {
      own.apply(1, e);
      sharing.apply(1, e);
      host.apply(e);
    }
    // A batch applied to the policy but never stored: the host never sees it.
    const lost: Sequenced = { seq: last.seq + 1, ts: last.ts + 1, src: 'host', cseq: 0, event: { type: 'TradingHalted', clientId: '', by: 'ops', text: 'never stored' } };
    sharing.apply(1, lost);
    expect(sharing.snapshot().body.risk?.halts?.some((h) => h.text === 'never stored')).toBe(true);
    // The sequencer's recovery: reset, then the log's events again.
    sharing.reset();
    for (const e of events) sharing.apply(1, e);
    expect(sharing.snapshot()).toEqual(own.snapshot());
  });

  it('takes its own copy back when the shared state falls more than maxBehind events behind, and folds itself from then on', () => {
    const reference = loadReferenceData();
    const own = new OmsSequencerPolicy(reference);
    const sharing = new OmsSequencerPolicy(reference);
    const host = new RiskState();
    sharing.shareRisk(host, 50);
    const stall = Math.floor(events.length / 2);
    events.forEach((e, i) => {
      own.apply(1, e);
      sharing.apply(1, e);
      if (i < stall) host.apply(e); // the host's stream stops here
    });
    expect(host.lastSeq).toBe(events[stall - 1]!.seq);
    expect(sharing.snapshot()).toEqual(own.snapshot());
    // The host catching up later changes nothing in the policy's own state; an event only the host sees does not reach it.
    for (const e of events.slice(stall)) host.apply(e);
    host.apply({ seq: last.seq + 1, ts: last.ts + 1, src: 'host', cseq: 0, event: { type: 'TradingHalted', clientId: '', by: 'ops', text: 'host only' } });
    expect(sharing.snapshot()).toEqual(own.snapshot());
  });

  it('refuses to share a state that is not where the policy is (a wiring mistake)', () => {
    const policy = new OmsSequencerPolicy(loadReferenceData());
    for (const e of events.slice(0, 100)) policy.apply(1, e);
    expect(() => policy.shareRisk(new RiskState())).toThrow(/risk state to share is at seq 0, the policy at 100/);
  });
});
