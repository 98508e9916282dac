import { describe, expect, it } from 'vitest';
import { orderSession } from '../../../bench/session.ts';
import { decodeCheckpoint, encodeCheckpoint } from '../../../engine/oms/checkpoint-codec.ts';
import { CheckpointFold } from '../../../engine/oms/checkpoint-fold.ts';
import { RiskState } from '../../../engine/oms/exposure/risk-state.ts';

/**
 * Decision 258 keeps risk's live orders in OrderSlots and its holdings in a
 * second index, without changing what a checkpoint holds: the codec refuses a
 * checkpoint whose RiskState fields differ from this build's, so the fields it
 * sees must be those the build before wrote (live orders as a Map by id).
 */
describe("risk state in a checkpoint (decision 258's indexes stay out of it)", () => {
  it('shows the checkpoint codec the fields the build before had', () => {
    expect(Object.keys(new RiskState()).sort()).toEqual([
      'clientMap', 'collared', 'expiredSet', 'firmHaltStamp', 'holdingMap', 'instrumentMap', 'marks', 'memoryUs', 'orderMap', 'recent',
      'remembers', 'restrictedMap', 'seq', 'sessionId', 'ts',
    ]);
    const fold = new CheckpointFold();
    for (const e of orderSession(2_000)) fold.apply(e);
    expect(fold.risk.packedForCheckpoint().risk).toMatchObject({ orderMap: expect.any(Map) });
  });

  it('decodes to a state that folds on exactly as the one it was taken from (orders and holdings found)', () => {
    const events = [...orderSession(30_000)];
    const cutAt = 12_000;
    const fold = new CheckpointFold();
    for (const e of events.slice(0, cutAt)) fold.apply(e);
    const decoded = decodeCheckpoint(encodeCheckpoint(fold.state)).risk!;
    expect(decoded.stateHash()).toBe(fold.risk.stateHash());
    expect(decoded.liveOrderIds().length).toBeGreaterThan(0);
    expect(decoded.liveOrderIds()).toEqual(fold.risk.liveOrderIds());
    for (const e of events.slice(cutAt)) {
      fold.risk.apply(e);
      decoded.apply(e);
    }
    expect(decoded.stateHash()).toBe(fold.risk.stateHash());
    const someHolding = [...fold.risk.holdings()][0]!.position;
    expect(decoded.holding(someHolding.clientId, someHolding.symbol)?.position).toEqual(someHolding);
  });

  it('is adopted in place by a state that already exists (a component restoring a checkpoint) with its holdings found', () => {
    const events = [...orderSession(30_000)];
    const cutAt = 12_000;
    const fold = new CheckpointFold();
    for (const e of events.slice(0, cutAt)) fold.apply(e);
    // The component's own state, folded a little before the restore (its index holds other objects).
    const own = new RiskState();
    for (const e of events.slice(0, 500)) own.apply(e);
    own.adopt(decodeCheckpoint(encodeCheckpoint(fold.state)).risk!);
    for (const e of events.slice(cutAt)) {
      fold.risk.apply(e);
      own.apply(e);
    }
    expect(own.stateHash()).toBe(fold.risk.stateHash());
  });
});
