import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../engine/host/host.ts';
import { http, order, startTestHost, state, unwrap, waitOrder } from './helpers/host.ts';

let host: Host & { dispose(): Promise<void> };

beforeAll(async () => {
  host = await startTestHost();
});
afterAll(async () => {
  await host.dispose();
});

const ref = (symbol: string) => host.view.projection.instrument(symbol)!.referencePrice;
const tick = (p: number, t = 0.01) => Math.round(p / t) * t;

describe('order lifecycle through every OMS component and the simulated venue', () => {
  it('a marketable limit order fills (pending → accepted → routed → filled), partial fills adding up', async () => {
    const { orderId } = unwrap(await host.api.submitOrder(order('AAPL', 'buy', 400, Number(tick(ref('AAPL') * 1.02).toFixed(2)))));
    const o = await waitOrder(host, orderId, (x) => x.state === 'filled');
    expect(o.filledQuantity).toBe(400);
    expect(o.leavesQuantity).toBe(0);
    expect(o.venue).toBe('XNAS');
    const fills = (await state(host)).fills.filter((f) => f.orderId === orderId);
    expect(fills.reduce((n, f) => n + f.quantity, 0)).toBe(400);
    const vwap = fills.reduce((n, f) => n + f.quantity * f.price, 0) / 400;
    expect(o.avgPrice).toBe(Math.round(vwap * 1e6) / 1e6);
    const types = o.eventSeqs.map((seq) => host.view.eventTail().find((l) => l.seq === seq)?.type);
    expect(types.slice(0, 3)).toEqual(['OrderPending', 'OrderAccepted', 'OrderRouted']);
    // Then the executions, and the venue's acknowledgement (FIX ExecType New) unless the venue acknowledged and
    // filled the order in one report frame (decision 251): at most one, never after the last execution.
    expect(types.slice(3).every((t) => t === 'OrderExecuted' || t === 'OrderAcknowledged')).toBe(true);
    expect(types.filter((t) => t === 'OrderAcknowledged').length).toBeLessThanOrEqual(1);
    expect(types[types.length - 1]).toBe('OrderExecuted');
  });

  it('an order filled on arrival is logged by its fill alone; a resting order keeps its acknowledgement (decision 251)', async () => {
    // The market maker quotes every book now: a 1-lot marketable order then fills as the venue takes it.
    host.venue.step();
    const filled = unwrap(await host.api.submitOrder(order('MSFT', 'buy', 1, Number(tick(ref('MSFT') * 1.05).toFixed(2)))));
    const f = await waitOrder(host, filled.orderId, (x) => x.state === 'filled');
    const typesOf = (seqs: readonly number[]) => seqs.map((seq) => host.view.eventTail().find((l) => l.seq === seq)?.type);
    expect(typesOf(f.eventSeqs)).toEqual(['OrderPending', 'OrderAccepted', 'OrderRouted', 'OrderExecuted']);
    // A buy 8 % under the reference rests at the venue: acknowledged (working, FIX ExecType New).
    const resting = unwrap(await host.api.submitOrder(order('MSFT', 'buy', 1, Number(tick(ref('MSFT') * 0.92).toFixed(2)))));
    const r = await waitOrder(host, resting.orderId, (x) => x.state === 'new');
    expect(typesOf(r.eventSeqs)).toEqual(['OrderPending', 'OrderAccepted', 'OrderRouted', 'OrderAcknowledged']);
    unwrap(await host.api.cancelOrder(resting.orderId));
    await waitOrder(host, resting.orderId, (x) => x.state === 'cancelled');
  });

  it('a market IOC sell fills against the simulated bid', async () => {
    const { orderId } = unwrap(await host.api.submitOrder(order('MSFT', 'sell', 50, undefined, { timeInForce: 'ioc', locate: true })));
    const o = await waitOrder(host, orderId, (x) => x.state === 'filled' || x.state === 'expired');
    expect(o.filledQuantity + (o.state === 'expired' ? o.quantity - o.filledQuantity : 0)).toBe(50);
    expect(o.filledQuantity).toBeGreaterThan(0);
  });

  const rejections: [string, Parameters<typeof order>, Partial<Parameters<typeof order>[4]>?][] = [
    ['UNKNOWN_CLIENT', ['AAPL', 'buy', 10, 228], { clientId: 'NOBODY' }],
    ['UNKNOWN_INSTRUMENT', ['ZZZZ', 'buy', 10, 10]],
    ['INSTRUMENT_NOT_ALLOWED', ['TSLA', 'buy', 10, 338], { clientId: 'BRAVO' }],
    ['PRICE_OFF_TICK', ['AAPL', 'buy', 10, 228.455]],
    ['PRICE_OUT_OF_BAND', ['AAPL', 'buy', 10, 400]],
    ['ORDER_NOTIONAL_LIMIT', ['AAPL', 'buy', 2000, 228], { clientId: 'DELTA' }],
  ];
  for (const [reason, args, extra] of rejections) {
    it(`risk rejects with ${reason}`, async () => {
      const [sym, side, qty, px] = args;
      const { orderId } = unwrap(await host.api.submitOrder(order(sym, side, qty, px, extra ?? {})));
      const o = await waitOrder(host, orderId, (x) => x.state === 'rejected');
      expect(o.rejectReason).toMatch(new RegExp(`^${reason}: `));
    });
  }

  it('risk rejects over the open-notional limit and a reused clientOrderId', async () => {
    // DELTA: 100k per order, 300k open. Three resting buys of ~91k, the fourth breaks the open limit.
    const px = Number(tick(ref('NVDA') * 0.92).toFixed(2));
    const qty = Math.floor(90_000 / px);
    const ids: number[] = [];
    // Quantities differ by one so DELTA's duplicate-order check (on in the shipped reference) lets them through.
    for (let i = 0; i < 4; i++) ids.push(unwrap(await host.api.submitOrder(order('NVDA', 'buy', qty - i, px, { clientId: 'DELTA' }))).orderId);
    const last = await waitOrder(host, ids[3]!, (x) => x.state === 'rejected' || x.state === 'new');
    expect(last.state).toBe('rejected');
    expect(last.rejectReason).toMatch(/^OPEN_NOTIONAL_LIMIT: /);
    // A reused clientOrderId: the same order again is the original (idempotent), another one is refused.
    const dup = order('NVDA', 'buy', 1, px, { clientId: 'DELTA' });
    const first = unwrap(await host.api.submitOrder(dup));
    expect(unwrap(await host.api.submitOrder({ ...dup }))).toEqual(first);
    expect(await host.api.submitOrder({ ...dup, quantity: 2 })).toMatchObject({ ok: false, error: { code: 'DUPLICATE_CLIENT_ORDER_ID' } });
    for (const id of ids.slice(0, 3)) unwrap(await host.api.cancelOrder(id));
  });

  it('cancel and replace follow the rules, each answered by an event', async () => {
    const px = Number(tick(ref('JPM') * 0.95).toFixed(2));
    const { orderId } = unwrap(await host.api.submitOrder(order('JPM', 'buy', 100, px, { timeInForce: 'gtc' })));
    await waitOrder(host, orderId, (x) => x.state === 'new');
    unwrap(await host.api.replaceOrder(orderId, { quantity: 200, price: Number((px - 0.5).toFixed(2)) }));
    const replaced = await waitOrder(host, orderId, (x) => x.quantity === 200);
    expect(replaced.price).toBeCloseTo(px - 0.5, 6);
    expect(replaced.leavesQuantity).toBe(200);
    const bad = await host.api.replaceOrder(orderId, { quantity: 150, price: 228.455 });
    expect(bad.ok).toBe(false);
    unwrap(await host.api.cancelOrder(orderId));
    await waitOrder(host, orderId, (x) => x.state === 'cancelled');
    const late = await host.api.cancelOrder(orderId);
    expect(late).toMatchObject({ ok: false, error: { code: 'ORDER_TERMINAL' } });
    const lateReplace = await host.api.replaceOrder(orderId, { quantity: 100, price: px });
    expect(lateReplace).toMatchObject({ ok: false, error: { code: 'ORDER_TERMINAL' } });
    expect(await host.api.cancelOrder(999_999)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_ORDER' } });
  });

  it('a replace below the filled quantity is refused', async () => {
    // Partially fill a big order by crossing the best levels, then replace below what filled. The simulated
    // market maker requotes on its own clock and may fill the rest before the replace is sequenced: then the
    // replace must be refused as on a terminal order, and the order must really be filled. Retry until the
    // partial case is seen (it is on the first try nearly always).
    let sawBelowFilled = false;
    for (let attempt = 0; attempt < 8 && !sawBelowFilled; attempt++) {
      const px = Number(tick(ref('GS') * 1.001).toFixed(2));
      const { orderId } = unwrap(await host.api.submitOrder(order('GS', 'buy', 1000, px, { timeInForce: 'gtc', intentional: attempt > 0 })));
      const o = await waitOrder(host, orderId, (x) => x.filledQuantity > 0);
      const r = await host.api.replaceOrder(orderId, { quantity: Math.max(1, o.filledQuantity - 1), price: px });
      expect(r.ok).toBe(false);
      if (!r.ok && r.error.code === 'REPLACE_BELOW_FILLED') {
        sawBelowFilled = true;
        const c = await host.api.cancelOrder(orderId);
        if (!c.ok) expect(c.error.code).toBe('ORDER_TERMINAL'); // filled between the two requests
      } else {
        expect(r).toMatchObject({ ok: false, error: { code: 'ORDER_TERMINAL' } });
        expect((await waitOrder(host, orderId, (x) => x.state === 'filled')).filledQuantity).toBe(1000);
      }
    }
    expect(sawBelowFilled).toBe(true);
  });

  it('over HTTP: an order fills, and bad input gets a 4xx naming the field', async () => {
    const px = Number(tick(ref('KO') * 1.02).toFixed(2));
    const r = await http(host, 'POST', '/api/orders', order('KO', 'buy', 100, px));
    expect(r.status).toBe(200);
    await waitOrder(host, r.body.orderId, (x) => x.state === 'filled');
    const st = await http(host, 'GET', '/api/state');
    expect(st.body.orders.find((o: { orderId: number }) => o.orderId === r.body.orderId).state).toBe('filled');
    const bad = await http(host, 'POST', '/api/orders', { ...order('KO', 'buy', 100, px), quantity: -5 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^order\.quantity: /);
    expect((await http(host, 'POST', '/api/orders', order('KO', 'buy', 100, px), '')).status).toBe(401);
    expect((await http(host, 'POST', '/api/orders', order('KO', 'buy', 100, px), 'wrong-token-wrong-token-wrong-token')).status).toBe(401);
  });
});
