import { describe, expect, it } from 'vitest';
import { isOnTick } from '../../engine/oms/checks.ts';
import { OmsProjection } from '../../engine/oms/projection.ts';
import { loadReferenceData } from '../../engine/oms/reference.ts';
import { RiskState } from '../../engine/oms/exposure/risk-state.ts';
import { checkOrder as check, type OrderRequest } from '../../engine/oms/risk.ts';
import type { RiskConfig } from '../../engine/oms/checks.ts';
import { LogBuilder } from '../../engine/oms/testkit.ts';
import type { OrdoEvent } from '../../engine/protocol/events.ts';
import { Reason } from '../../engine/protocol/reasons.ts';

const loaded = loadReferenceData();
// US equities trade odd lots (lot size 1, round lot 100 as information: decision 071); KO gets a real lot here.
const reference = { ...loaded, instruments: loaded.instruments.map((i) => (i.symbol === 'KO' ? { ...i, lotSize: 100 } : i)) };

function order(over: Partial<OrderRequest> = {}): OrderRequest {
  return {
    orderId: 1, clientId: 'ALPHA', clientOrderId: 'c-1', symbol: 'AAPL', side: 'buy', orderType: 'limit',
    timeInForce: 'day', quantity: 100, price: 228.45, ...over,
  };
}

interface State {
  p: OmsProjection;
  rs: RiskState;
}

function projection(...events: OrdoEvent[]): State {
  const log = new LogBuilder().openSession({ reference });
  log.addAll(events);
  const p = new OmsProjection();
  const rs = new RiskState();
  p.applyAll(log.events);
  for (const e of log.events) rs.apply(e);
  return { p, rs };
}

function checkOrder(o: OrderRequest, s: State, config?: RiskConfig) {
  return check(o, s.p, s.rs, config);
}

const p0 = projection();

describe('checkOrder', () => {
  it('accepts a sane order, before and after the projection applied it', () => {
    expect(checkOrder(order(), p0)).toBeNull();
    const o = order();
    expect(checkOrder(o, projection({ type: 'OrderPending', ...o }))).toBeNull();
  });

  it.each([
    ['UNKNOWN_CLIENT', order({ clientId: 'ZULU' }), Reason.UNKNOWN_CLIENT, 'unknown client "ZULU"'],
    ['UNKNOWN_INSTRUMENT', order({ symbol: 'APPL' }), Reason.UNKNOWN_INSTRUMENT, 'unknown instrument "APPL"'],
    ['INSTRUMENT_NOT_ALLOWED', order({ clientId: 'BRAVO', symbol: 'TSLA', price: 338.6 }), Reason.INSTRUMENT_NOT_ALLOWED, 'client BRAVO may not trade TSLA'],
    ['BAD_QUANTITY zero', order({ quantity: 0 }), Reason.BAD_QUANTITY, 'quantity 0 must be a whole number > 0'],
    ['BAD_QUANTITY fraction', order({ quantity: 1.5 }), Reason.BAD_QUANTITY, 'quantity 1.5 must be a whole number > 0'],
    ['BAD_QUANTITY lot', order({ symbol: 'KO', price: 63.48, quantity: 150 }), Reason.BAD_QUANTITY, 'quantity 150 is not a multiple of lot 100'],
    ['BAD_PRICE zero', order({ price: 0 }), Reason.BAD_PRICE, 'limit price 0 must be > 0'],
    ['BAD_PRICE negative', order({ price: -1 }), Reason.BAD_PRICE, 'limit price -1 must be > 0'],
    ['PRICE_OFF_TICK', order({ price: 228.455 }), Reason.PRICE_OFF_TICK, 'price 228.455 is not a multiple of tick 0.01'],
    ['PRICE_OFF_TICK option', order({ symbol: 'AAPL 281215C230', price: 6.87 }), Reason.PRICE_OFF_TICK, 'price 6.87 is not a multiple of tick 0.05'],
    ['PRICE_OUT_OF_BAND high', order({ price: 251.3 }), Reason.PRICE_OUT_OF_BAND, 'price 251.3 is outside ±10% of reference 228.45 (205.61 to 251.29)'],
    ['PRICE_OUT_OF_BAND low', order({ price: 205.6 }), Reason.PRICE_OUT_OF_BAND, 'price 205.6 is outside ±10% of reference 228.45 (205.61 to 251.29)'],
    ['PRICE_OUT_OF_BAND option', order({ symbol: 'AAPL 281215C230', price: 10.3 }), Reason.PRICE_OUT_OF_BAND, 'price 10.3 is outside ±50% of reference 6.85 (3.45 to 10.25)'],
    ['ORDER_NOTIONAL_LIMIT', order({ clientId: 'DELTA', quantity: 500 }), Reason.ORDER_NOTIONAL_LIMIT, 'order notional 114225.00 (500 × 228.45) exceeds client DELTA limit 100000.00'],
    ['ORDER_NOTIONAL_LIMIT market', order({ clientId: 'DELTA', orderType: 'market', price: 0, symbol: 'TSLA', quantity: 300 }), Reason.ORDER_NOTIONAL_LIMIT, 'order notional 106659.00 (300 × 355.53) exceeds client DELTA limit 100000.00'],
  ])('refuses %s', (_name, o, reason, text) => {
    expect(checkOrder(o, p0)).toEqual({ reason, text });
  });

  it('passes prices on the band edges and on the tick despite binary floating point', () => {
    // 228.45 ± 10% = 205.605 .. 251.295: the first and last ticks inside pass.
    expect(checkOrder(order({ price: 251.29 }), p0)).toBeNull();
    expect(checkOrder(order({ price: 205.61 }), p0)).toBeNull();
    // 431.20 ± 10% = 388.08 .. 474.32 exactly: both edges pass.
    expect(checkOrder(order({ symbol: 'MSFT', price: 474.32 }), p0)).toBeNull();
    expect(checkOrder(order({ symbol: 'MSFT', price: 388.08 }), p0)).toBeNull();
    expect(checkOrder(order({ symbol: 'MSFT', price: 474.33 }), p0)?.reason).toBe(Reason.PRICE_OUT_OF_BAND);
    expect(checkOrder(order({ symbol: 'AAPL 281215C230', price: 10.25 }), p0)).toBeNull();
    expect(checkOrder(order({ symbol: 'SPY 281215C600', price: 9.13 }), p0)).toBeNull();
    for (const price of [0.07, 1.1, 0.29, 4.35, 1234.56, 99.99]) expect(isOnTick(price, 0.01)).toBe(true);
    for (const price of [101.005, 0.071, 4.355]) expect(isOnTick(price, 0.01)).toBe(false);
    expect(isOnTick(6.85, 0.05)).toBe(true);
  });

  it('market orders skip the limit price checks (they are valued at their protection price)', () => {
    expect(checkOrder(order({ orderType: 'market', price: 0 }), p0)).toBeNull();
    expect(checkOrder(order({ orderType: 'market', price: 1e9 }), p0)).toBeNull();
  });

  it('refuses a clientOrderId the client already used, even on a rejected order', () => {
    const p = projection(
      { type: 'OrderPending', ...order({ orderId: 1, clientOrderId: 'dup' }) },
      { type: 'OrderRejected', orderId: 1, reason: Reason.BAD_PRICE, text: 'x' },
    );
    expect(checkOrder(order({ orderId: 2, clientOrderId: 'dup' }), p)).toEqual({
      reason: Reason.DUPLICATE_CLIENT_ORDER_ID,
      text: 'clientOrderId "dup" already used by order 1',
    });
    expect(checkOrder(order({ orderId: 2, clientOrderId: 'dup', clientId: 'CHARLIE' }), p)).toBeNull();
  });

  it('refuses an order that takes the open notional over the limit, counting pending and live orders', () => {
    // DELTA: 100k per order, 300k open. Three AAPL orders of 400 @ 228.45 = 91,380 each.
    const events: OrdoEvent[] = [];
    for (const id of [1, 2, 3]) events.push({ type: 'OrderPending', ...order({ orderId: id, clientId: 'DELTA', clientOrderId: `d${id}`, quantity: 400, intentional: true }) });
    events.push({ type: 'OrderAccepted', orderId: 1 });
    const p = projection(...events);
    expect(p.p.openNotional('DELTA')).toBeCloseTo(274_140, 6);
    // Order 3 is already in the projection: its own notional is not counted twice.
    expect(checkOrder(order({ orderId: 3, clientId: 'DELTA', clientOrderId: 'd3', quantity: 400, intentional: true }), p)).toBeNull();
    expect(checkOrder(order({ orderId: 4, clientId: 'DELTA', clientOrderId: 'd4', quantity: 200 }), p)).toEqual({
      reason: Reason.OPEN_NOTIONAL_LIMIT,
      text: 'credit: open 274140.00 + executed 0.00 + this 45690.00 exceeds client DELTA limit 300000.00',
    });
    expect(checkOrder(order({ orderId: 4, clientId: 'DELTA', clientOrderId: 'd4', quantity: 100 }), p)).toBeNull();
    // A terminal order frees its share.
    const q = projection(...events, { type: 'OrderRejected', orderId: 2, reason: Reason.BAD_PRICE, text: '' });
    expect(checkOrder(order({ orderId: 4, clientId: 'DELTA', clientOrderId: 'd4', quantity: 200 }), q)).toBeNull();
  });

  it('takes the price band from the config', () => {
    const tight = { priceBands: { equity: 0.01, option: 0.5 } };
    expect(checkOrder(order({ price: 231 }), p0, tight)?.reason).toBe(Reason.PRICE_OUT_OF_BAND);
    expect(checkOrder(order({ price: 230.7 }), p0, tight)).toBeNull();
  });
});
