import { describe, expect, it } from 'vitest';
import { duplicateKey, RiskState } from '../../../engine/oms/exposure/risk-state.ts';
import { OmsProjection } from '../../../engine/oms/projection.ts';
import { loadReferenceData, type ReferenceData } from '../../../engine/oms/reference.ts';
import { decideOrder, protectionPrice, type OrderRequest } from '../../../engine/oms/risk.ts';
import { LogBuilder } from '../../../engine/oms/testkit.ts';
import type { OrdoEvent } from '../../../engine/protocol/events.ts';
import { Reason } from '../../../engine/protocol/reasons.ts';

const shipped = loadReferenceData();
/** A test client with every check on and every limit set. */
const ref: ReferenceData = {
  ...shipped,
  instruments: [
    ...shipped.instruments,
    {
      symbol: 'AAPL 250620C200', name: 'expired call', instrumentType: 'option', venue: 'XCBO', currency: 'USD', tickSize: 0.05, lotSize: 1,
      referencePrice: 30, underlying: 'AAPL', strike: 200, expiry: '2025-06-20', putCall: 'call', multiplier: 100,
    },
  ],
  clients: [
    ...shipped.clients,
    {
      clientId: 'ECHO', name: 'Echo', maxOrderNotional: 1_000_000, maxOpenNotional: 2_000_000, allowedSymbols: ['*'],
      maxOrderQuantity: 5000, maxGrossPosition: 600_000, maxNetPosition: 400_000,
    },
  ],
};

interface World {
  log: LogBuilder;
  p: OmsProjection;
  rs: RiskState;
}

function world(...events: OrdoEvent[]): World {
  const log = new LogBuilder().openSession({ reference: ref });
  log.addAll(events);
  const p = new OmsProjection();
  const rs = new RiskState();
  for (const e of log.events) {
    p.apply(e);
    rs.apply(e);
  }
  return { log, p, rs };
}

/** Appends events to the world (as the live stream would). */
function more(w: World, ...events: OrdoEvent[]): World {
  for (const ev of events) {
    const e = w.log.add(ev);
    w.p.apply(e);
    w.rs.apply(e);
  }
  return w;
}

let nextId = 1000;
function order(over: Partial<OrderRequest> = {}): OrderRequest {
  const id = nextId++;
  return {
    orderId: id, clientId: 'ECHO', clientOrderId: `o${id}`, symbol: 'AAPL', side: 'buy', orderType: 'limit', timeInForce: 'day', quantity: 100, price: 228.45, ...over,
  };
}

function decide(w: World, o: OrderRequest) {
  return decideOrder(o, w.p, w.rs, undefined, w.log.events.at(-1)!.ts);
}

/** A filled order of `clientId` (pending → accepted → routed → executed). */
function filled(o: OrderRequest, price = o.price): OrdoEvent[] {
  return [
    { type: 'OrderPending', ...o },
    { type: 'OrderAccepted', orderId: o.orderId },
    { type: 'OrderRouted', orderId: o.orderId, venue: 'XNAS' },
    { type: 'OrderExecuted', orderId: o.orderId, execId: o.orderId, fillQty: o.quantity, fillPrice: price },
  ];
}

describe('issue 12 regressions', () => {
  it('an option order counts the multiplier: 14,000 AAPL calls @ 6.85 are $9.59 M, not 95,900', () => {
    const w = world();
    const big = decide(w, order({ clientId: 'DELTA', symbol: 'AAPL 281215C230', quantity: 14_000, price: 6.85 }));
    expect(big.refusal).toEqual({
      reason: Reason.ORDER_NOTIONAL_LIMIT,
      text: 'order notional 9590000.00 (14000 × 6.85 × 100) exceeds client DELTA limit 100000.00',
    });
    // 100 contracts = 68,500: within DELTA's 100k.
    expect(decide(w, order({ clientId: 'DELTA', symbol: 'AAPL 281215C230', quantity: 100, price: 6.85 })).refusal).toBeNull();
  });

  it('an expired option is refused (by date, and after InstrumentExpired)', () => {
    const w = world();
    const r = decide(w, order({ symbol: 'AAPL 250620C200', quantity: 1, price: 30 }));
    expect(r.refusal).toEqual({ reason: Reason.INSTRUMENT_EXPIRED, text: 'AAPL 250620C200 expired on 2025-06-20' });
    expect(w.rs.dueExpiries(w.log.events.at(-1)!.ts)).toEqual(['AAPL 250620C200']);
    more(w, { type: 'InstrumentExpired', symbol: 'AAPL 250620C200' });
    expect(w.rs.dueExpiries(w.log.events.at(-1)!.ts)).toEqual([]);
    expect(w.rs.isExpired('AAPL 250620C200', 0)).toBe(true);
  });

  it('a market order is valued at its protection price: ALPHA market-buys 6,900 NVDA', () => {
    const w = world();
    // 142.85 × 1.05 = 149.9925 → 149.99; 6,900 × 149.99 = 1,034,931 > 1 M (the reference price alone gave 985,665).
    expect(protectionPrice('buy', 142.85, 0.05, 0.01)).toBe(149.99);
    const r = decide(w, order({ clientId: 'ALPHA', symbol: 'NVDA', orderType: 'market', price: 0, quantity: 6900 }));
    expect(r.refusal).toEqual({
      reason: Reason.ORDER_NOTIONAL_LIMIT,
      text: 'order notional 1034931.00 (6900 × 149.99) exceeds client ALPHA limit 1000000.00',
    });
    const ok = decide(w, order({ clientId: 'ALPHA', symbol: 'NVDA', orderType: 'market', price: 0, quantity: 6000 }));
    expect(ok).toEqual({ refusal: null, protectionPrice: 149.99 });
    expect(protectionPrice('sell', 142.85, 0.05, 0.01)).toBe(135.71); // 135.7075 → up to the tick
  });

  it('credit counts executed notional: filled orders do not free the limit', () => {
    // DELTA: 300k credit. Three filled buys of 95,000 each = 285,000 executed, nothing open.
    const fills = [1, 2, 3].map((i) => order({ clientId: 'DELTA', symbol: 'NVDA', quantity: 500 + i, price: 142.85 }));
    const w = world(...fills.flatMap((o) => filled(o, 190.05)));
    const executed = (501 + 502 + 503) * 190.05;
    expect(w.rs.client('DELTA')!.executedNotional).toBeCloseTo(executed, 6);
    expect(w.rs.client('DELTA')!.openNotional).toBe(0);
    const r = decide(w, order({ clientId: 'DELTA', symbol: 'NVDA', quantity: 100, price: 190 }));
    expect(r.refusal).toEqual({
      reason: Reason.OPEN_NOTIONAL_LIMIT,
      text: `credit: open 0.00 + executed ${executed.toFixed(2)} + this 19000.00 exceeds client DELTA limit 300000.00`,
    });
    expect(decide(w, order({ clientId: 'DELTA', symbol: 'NVDA', quantity: 10, price: 190 })).refusal).toBeNull();
  });
});

describe('per-client checks', () => {
  it('maximum order quantity', () => {
    expect(decide(world(), order({ quantity: 5000.5, price: 24.18, symbol: 'F' })).refusal?.reason).toBe(Reason.BAD_QUANTITY); // a bad quantity first (F trades odd lots since #10)
    expect(decide(world(), order({ quantity: 5100, symbol: 'INTC', price: 24.18 })).refusal).toEqual({
      reason: Reason.ORDER_QUANTITY_LIMIT,
      text: 'quantity 5100 exceeds client ECHO limit 5000',
    });
    expect(decide(world(), order({ quantity: 5000, symbol: 'INTC', price: 24.18 })).refusal).toBeNull();
  });

  it('net position limit counts the position and every open order on the same side', () => {
    // 1,000 AAPL long @ 228.45 (228,450); net limit 400k at the order price.
    const w = world(...filled(order({ quantity: 1000 })));
    // Open buy 500 more: long could reach 1,500 + this.
    more(w, { type: 'OrderPending', ...order({ quantity: 500, price: 228 }) });
    // 1,000 + 500 + 250 = 1,750 × 228.45 = 399,787.50: passes; +1 share more... 1,752 × 228.45 = 400,244.40: refused.
    expect(decide(w, order({ quantity: 250 })).refusal).toBeNull();
    const r = decide(w, order({ quantity: 252 }));
    expect(r.refusal?.reason).toBe(Reason.NET_POSITION_LIMIT);
    expect(r.refusal?.text).toBe('net position in AAPL could reach 400244.40 (position 1000, open buys 500, open sells 0, this buy 252) over client ECHO limit 400000.00');
  });

  it('gross position limit counts |position| and open orders on both sides', () => {
    // Long 1,000, open sell 1,000 (covered by the long, no locate needed), gross limit 600k.
    const w = world(...filled(order({ quantity: 1000 })));
    more(w, { type: 'OrderPending', ...order({ side: 'sell', quantity: 1000, price: 228.45 }) });
    // (1,000 + 1,000 + 600) × 228.45 = 593,970: passes (net: 1,600 × 228.45 = 365,520 passes too).
    expect(decide(w, order({ side: 'buy', quantity: 600 })).refusal).toBeNull();
    // 700 → 2,700 × 228.45 = 616,815 over 600k (net 1,700 × 228.45 = 388,365 still within 400k).
    expect(decide(w, order({ side: 'buy', quantity: 700 })).refusal).toEqual({
      reason: Reason.GROSS_POSITION_LIMIT,
      text: 'gross position in AAPL would be 616815.00 (|position| 1000 + open 1000 + 700) over client ECHO limit 600000.00',
    });
  });

  it('short sale: selling beyond the long position needs a locate', () => {
    const w = world(...filled(order({ quantity: 300 })));
    expect(decide(w, order({ side: 'sell', quantity: 300 })).refusal).toBeNull();
    expect(decide(w, order({ side: 'sell', quantity: 301 })).refusal).toEqual({
      reason: Reason.SHORT_SALE_NO_LOCATE,
      text: 'selling 301 AAPL with 300 long available (position 300, open sells 0) is a short sale: it needs a locate',
    });
    expect(decide(w, order({ side: 'sell', quantity: 301, locate: true })).refusal).toBeNull();
    // An open sell uses up the long.
    more(w, { type: 'OrderPending', ...order({ side: 'sell', quantity: 200, price: 230 }) });
    expect(decide(w, order({ side: 'sell', quantity: 101, price: 229 })).refusal?.reason).toBe(Reason.SHORT_SALE_NO_LOCATE);
    // Options are not short sales (writing is margined, not located).
    expect(decide(w, order({ side: 'sell', symbol: 'AAPL 281215C230', quantity: 5, price: 6.85 })).refusal).toBeNull();
    // The shipped reference checks every client (decision 094); a client with requireLocate false skips it.
    expect(decide(w, order({ clientId: 'ALPHA', side: 'sell', quantity: 1000 })).refusal?.reason).toBe(Reason.SHORT_SALE_NO_LOCATE);
    more(w, { type: 'LimitsChanged', clientId: 'ALPHA', by: 'cro', requireLocate: false });
    expect(decide(w, order({ clientId: 'ALPHA', side: 'sell', quantity: 1000 })).refusal).toBeNull();
  });

  it('duplicate orders within the window are refused unless intentional; a rejected one does not count', () => {
    const first = order({ clientId: 'DELTA', quantity: 10 });
    const w = world({ type: 'OrderPending', ...first });
    const again = order({ clientId: 'DELTA', quantity: 10 });
    more(w, { type: 'OrderPending', ...again });
    expect(decide(w, again).refusal).toEqual({
      reason: Reason.DUPLICATE_ORDER,
      text: `same client, instrument, side, quantity and price as order ${first.orderId} within 2s: send it as intentional to mean it`,
    });
    expect(decide(w, { ...again, intentional: true }).refusal).toBeNull();
    expect(decide(w, { ...again, quantity: 11 }).refusal).toBeNull();
    // Out of the window (the log's time, not the clock): 2.5 s later.
    expect(decideOrder(again, w.p, w.rs, undefined, w.log.events.at(-1)!.ts + 2_500_000).refusal).toBeNull();
    // The first one rejected: the resend is no duplicate.
    more(w, { type: 'OrderRejected', orderId: first.orderId, reason: Reason.BAD_PRICE, text: '' });
    expect(decide(w, again).refusal).toBeNull();
  });
});

const duplicateKeyOf = (o: OrderRequest): string => duplicateKey(o.clientId, o.symbol, o.side, o.orderType, o.quantity, o.price);

describe('the duplicate check remembers one minute of log time', () => {
  it('a busy session keeps only the last minute of orders, and still finds a duplicate within it', () => {
    const log = new LogBuilder(1_767_225_600_000_000, 10_000).openSession({ reference: ref }); // one event per 10 ms
    const rs = new RiskState();
    for (const e of log.events) rs.apply(e);
    const n = 20_000; // 200 s of orders, every one with its own duplicate key
    let last: OrderRequest | undefined;
    for (let i = 0; i < n; i++) {
      last = order({ clientId: 'ECHO', quantity: 1 + (i % 4000), price: Number((228 + Math.floor(i / 4000) * 0.01).toFixed(2)) });
      rs.apply(log.add({ type: 'OrderPending', ...last }));
    }
    // 60 s at 10 ms per order: 6,000 orders, give or take the one on the edge.
    expect(rs.rememberedOrders).toBeGreaterThanOrEqual(6_000);
    expect(rs.rememberedOrders).toBeLessThanOrEqual(6_001);
    const now = log.events.at(-1)!.ts;
    const window = rs.duplicateWindowUs('ECHO');
    expect(rs.duplicateOf(nextId + 1, duplicateKeyOf(last!), now, window)).toBe(last!.orderId);
    const first = log.events.find((e) => e.event.type === 'OrderPending')!.event as OrderRequest & { type: 'OrderPending' };
    expect(rs.duplicateOf(nextId + 1, duplicateKeyOf(first), now, 60_000_000)).toBeUndefined();
  });
});

describe('firm-wide checks and runtime changes', () => {
  it('the restricted list and limits change at runtime through sequenced events', () => {
    const w = world({ type: 'RestrictedListChanged', symbol: 'TSLA', restricted: true, by: 'compliance', text: 'pending news' });
    expect(decide(w, order({ symbol: 'TSLA', price: 338.6 })).refusal).toEqual({
      reason: Reason.RESTRICTED_INSTRUMENT,
      text: 'TSLA is on the restricted list (by compliance: pending news)',
    });
    more(w, { type: 'RestrictedListChanged', symbol: 'TSLA', restricted: false, by: 'compliance', text: '' });
    expect(decide(w, order({ symbol: 'TSLA', price: 338.6 })).refusal).toBeNull();
    more(w, { type: 'LimitsChanged', clientId: 'ECHO', by: 'risk-officer', maxOrderNotional: 10_000 });
    expect(decide(w, order()).refusal?.reason).toBe(Reason.ORDER_NOTIONAL_LIMIT);
    expect(w.rs.client('ECHO')!.limits).toMatchObject({ maxOrderNotional: 10_000, maxOpenNotional: 2_000_000, maxOrderQuantity: 5000 });
    expect(w.rs.runtimeLimits()).toEqual([{ clientId: 'ECHO', by: 'risk-officer', limits: { maxOrderNotional: 10_000 } }]);
  });

  it('halts: a client halt, a firm-wide halt, resume', () => {
    const w = world({ type: 'TradingHalted', clientId: 'ECHO', by: 'ops', text: 'runaway algo' });
    expect(decide(w, order()).refusal).toEqual({ reason: Reason.CLIENT_HALTED, text: 'client ECHO is halted (by ops: runaway algo)' });
    expect(decide(w, order({ clientId: 'ALPHA' })).refusal).toBeNull();
    more(w, { type: 'TradingHalted', clientId: '', by: 'ops', text: '' });
    expect(decide(w, order({ clientId: 'ALPHA' })).refusal).toEqual({ reason: Reason.FIRM_HALTED, text: 'trading is halted firm-wide (by ops)' });
    more(w, { type: 'TradingResumed', clientId: '', by: 'ops' });
    expect(decide(w, order({ clientId: 'ALPHA' })).refusal).toBeNull();
    expect(decide(w, order()).refusal?.reason).toBe(Reason.CLIENT_HALTED);
    more(w, { type: 'TradingResumed', clientId: 'ECHO', by: 'ops' });
    expect(decide(w, order()).refusal).toBeNull();
  });

  it('price bands follow the market: after a 10% move, orders near the new price pass', () => {
    const w = world();
    expect(decide(w, order({ price: 255 })).refusal?.reason).toBe(Reason.PRICE_OUT_OF_BAND);
    more(w, { type: 'ReferencePriceMoved', symbol: 'AAPL', price: 251.3 });
    expect(decide(w, order({ price: 255 })).refusal).toBeNull();
    expect(decide(w, order({ price: 210 })).refusal?.text).toBe('price 210 is outside ±10% of reference 251.3 (226.17 to 276.43)');
    // A fill moves the mark too.
    more(w, ...filled(order({ clientId: 'ALPHA', quantity: 1, price: 260 }), 260));
    expect(w.rs.mark('AAPL')).toBe(260);
  });
});
