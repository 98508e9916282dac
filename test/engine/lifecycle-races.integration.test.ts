import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../engine/host/host.ts';
import { isTerminalStage } from '../../engine/oms/order-state.ts';
import { Reason } from '../../engine/protocol/reasons.ts';
import { http, order, startTestHost, unwrap, waitFor } from './helpers/host.ts';

/**
 * End to end with the real parts (HTTP API, sequencer, SQLite log, OMS
 * components over ZeroMQ, the simulated venue with its market maker):
 * cancel-right-after-submit and replace-right-after-submit pairs on
 * marketable orders, then every OMS order compared with the venue's own
 * record of its executions. Zero differences allowed.
 *
 * CI runs ORDO_RACE_PAIRS pairs of each kind (default 150);
 * `ORDO_RACE_PAIRS=1000 npx vitest run test/engine/lifecycle-races.integration.test.ts`
 * runs the full 1,000 + 1,000 of issue #10.
 */

const PAIRS = Number(process.env.ORDO_RACE_PAIRS ?? 150);
const CONCURRENCY = 16;

let host: Host & { dispose(): Promise<void> };

beforeAll(async () => {
  host = await startTestHost({ venueTickMs: 20, venueIn: 'host' });
  // Risk's credit (#12) counts the session's executed notional too: with many race pairs (or more fills under
  // load) ALPHA's 5M would run out and refuse the later tests' orders, which is not what this file tests.
  unwrap(await host.risk.setLimits('ALPHA', { maxOpenNotional: 1e12, by: 'test' }));
});
afterAll(async () => {
  await host.dispose();
});

/** A marketable buy: 1% through the best ask (or the reference price when the book is empty). */
function marketablePrice(symbol: string): number {
  const book = host.localVenue!.exchange.book(symbol)!;
  const ask = book.bestAsk() ?? host.view.projection.instrument(symbol)!.referencePrice;
  return Math.round(ask * 1.01 * 100) / 100;
}

async function pairs(kind: 'cancel' | 'replace', n: number, ids: number[], answers: Map<string, number>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      next++;
      const px = marketablePrice('AAPL');
      const qty = 50 + (next % 7) * 25;
      const sub = await http(host, 'POST', '/api/orders', order('AAPL', 'buy', qty, px));
      if (sub.status !== 200) throw new Error(`submit: ${sub.status} ${JSON.stringify(sub.body)}`);
      const id = sub.body.orderId as number;
      ids.push(id);
      // Every other pair lets the order travel a little (routing, the venue) before the request: more races at the venue.
      if (next % 2 === 0) await new Promise((r) => setTimeout(r, next % 6));
      const r =
        kind === 'cancel'
          ? await http(host, 'POST', `/api/orders/${id}/cancel`)
          : await http(host, 'POST', `/api/orders/${id}/replace`, { quantity: Math.max(1, Math.floor(qty / 2)), price: px });
      const key = r.status === 200 ? 'ok' : String(r.body?.error?.code);
      answers.set(key, (answers.get(key) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

describe('cancel and replace racing fills, end to end', () => {
  it(`${PAIRS} cancel-after-submit and ${PAIRS} replace-after-submit pairs: every OMS order equals the venue's record`, async () => {
    const ids: number[] = [];
    const cancelAnswers = new Map<string, number>();
    const replaceAnswers = new Map<string, number>();
    await pairs('cancel', PAIRS, ids, cancelAnswers);
    await pairs('replace', PAIRS, ids, replaceAnswers);
    const p = host.view.projection;
    // Let every request settle: no order waiting for the venue's acknowledgement or answer.
    await waitFor(() => ids.every((id) => {
      const o = p.order(id);
      return o !== undefined && !o.cancelPending && !o.replacePending && o.stage !== 'pending' && o.stage !== 'accepted' && o.stage !== 'routed';
    }), 'every order settled', 120_000);
    // Whatever still rests (a replace left it live) is cancelled, so the comparison is of finished orders.
    for (const id of ids) if (!isTerminalStage(p.order(id)!.stage)) await http(host, 'POST', `/api/orders/${id}/cancel`);
    await waitFor(() => ids.every((id) => isTerminalStage(p.order(id)!.stage) && !host.localVenue!.exchange.isLive(id)), 'every order finished', 120_000);

    const differences: string[] = [];
    let filledOrders = 0;
    let cancelledAfterFill = 0;
    let cancelledAtOnce = 0;
    let cancelledAtVenue = 0;
    for (const id of ids) {
      const o = p.order(id)!;
      const v = host.localVenue!.exchange.status(id);
      const omsFills = p.fillsOf(id).map((f) => `${f.execId}:${f.quantity}@${f.price}`).sort();
      const venueFills = v.fills.map((f) => `${f.execId}:${f.quantity}@${f.price}`).sort();
      if (o.filledQuantity !== v.filledQuantity) differences.push(`${id}: cumQty ${o.filledQuantity} vs venue ${v.filledQuantity}`);
      if (omsFills.join() !== venueFills.join()) differences.push(`${id}: fills ${omsFills.join()} vs venue ${venueFills.join()}`);
      if (v.state === 'open') differences.push(`${id}: ${o.state} in the OMS, live at the venue`);
      // Never at the venue: cancelled at once (the log proves it never left) or refused by risk.
      const same = v.state === 'unknown' ? o.state === 'cancelled' || o.state === 'rejected' : v.state === o.state;
      if (!same) differences.push(`${id}: ${o.state} in the OMS, ${v.state} at the venue`);
      if (o.filledQuantity > 0) filledOrders++;
      if (o.state === 'cancelled' && o.filledQuantity > 0) cancelledAfterFill++;
      if (o.state === 'cancelled' && o.venue === undefined) cancelledAtOnce++;
      if (o.state === 'cancelled' && o.venue !== undefined) cancelledAtVenue++;
    }
    // What the runs did, for the record (issue #10 asks for the figures).
    console.log(
      `races: ${ids.length} orders, ${filledOrders} with fills, ${cancelledAtOnce} cancelled before routing,`,
      `${cancelledAtVenue} cancelled at the venue (${cancelledAfterFill} after a partial fill);`,
      `cancel answers ${JSON.stringify(Object.fromEntries(cancelAnswers))}, replace answers ${JSON.stringify(Object.fromEntries(replaceAnswers))}`,
    );
    expect(differences).toEqual([]);
    expect(ids).toHaveLength(2 * PAIRS);
    // The races happened: some orders filled before their cancel reached the venue.
    expect(filledOrders).toBeGreaterThan(0);
  }, 300_000);
});

describe('idempotent entry and exact prices, end to end', () => {
  it('the same (clientId, clientOrderId) and body answers the original orderId and sequences nothing; a different body is a 409', async () => {
    const body = order('MSFT', 'buy', 10, 300, { timeInForce: 'gtc' });
    const first = await http(host, 'POST', '/api/orders', body);
    expect(first.status).toBe(200);
    const seqBefore = host.view.projection.lastSeq;
    const again = await http(host, 'POST', '/api/orders', body);
    expect(again).toEqual({ status: 200, body: { orderId: first.body.orderId } });
    // Retried at once, as a client does after a lost answer: still one order.
    const both = await Promise.all([http(host, 'POST', '/api/orders', body), http(host, 'POST', '/api/orders', body)]);
    expect(both.map((r) => r.body.orderId)).toEqual([first.body.orderId, first.body.orderId]);
    const other = await http(host, 'POST', '/api/orders', { ...body, quantity: 11 });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('DUPLICATE_CLIENT_ORDER_ID');
    // Nothing of the retries or the conflicting order reached the log.
    const later = [...host.view.projection.orders()].filter((o) => o.clientOrderId === body.clientOrderId);
    expect(later).toHaveLength(1);
    await waitFor(() => host.view.projection.lastSeq >= seqBefore, 'log');
    const pendingAfter = host.view.eventTail().filter((l) => l.seq > seqBefore && l.type === 'OrderPending');
    expect(pendingAfter).toEqual([]);
    await http(host, 'POST', `/api/orders/${first.body.orderId}/cancel`);
  });

  it('two concurrent different orders under one clientOrderId: one is taken, the other refused before sequencing', async () => {
    const body = order('MSFT', 'buy', 10, 300, { timeInForce: 'gtc' });
    const [a, b] = await Promise.all([http(host, 'POST', '/api/orders', body), http(host, 'POST', '/api/orders', { ...body, price: 301 })]);
    expect([a.status, b.status]).toEqual([200, 409]);
    expect([...host.view.projection.orders()].filter((o) => o.clientOrderId === body.clientOrderId)).toHaveLength(1);
    await http(host, 'POST', `/api/orders/${a.body.orderId}/cancel`);
  });

  it('a price off the tick by float noise is stored on the tick; the average price is exact and rounded', async () => {
    const px = marketablePrice('AAPL');
    const noisy = px + 1e-10;
    const r = await http(host, 'POST', '/api/orders', order('AAPL', 'buy', 300, noisy));
    expect(r.status).toBe(200);
    const o = host.view.projection.order(r.body.orderId)!;
    expect(o.price).toBe(px);
    await waitFor(() => o.filledQuantity > 0 && !o.cancelPending, 'a fill');
    const fills = host.view.projection.fillsOf(o.orderId);
    const exact = fills.reduce((n, f) => n + f.quantity * Math.round(f.price * 100), 0) / o.filledQuantity / 100;
    expect(o.avgPrice).toBe(Math.round(exact * 1e6) / 1e6);
    expect(String(o.avgPrice).replace(/^\d+\.?/, '').length).toBeLessThanOrEqual(6);
    if (!isTerminalStage(o.stage)) await http(host, 'POST', `/api/orders/${o.orderId}/cancel`);
  });

  it('a second cancel or replace while one is in flight is refused with REQUEST_PENDING, decided at its seq', async () => {
    // A resting order (far from the market) so the requests race only each other.
    const px = Math.round(marketablePrice('AAPL') * 0.97 * 100) / 100;
    const sub = await http(host, 'POST', '/api/orders', order('AAPL', 'buy', 100, px, { timeInForce: 'gtc' }));
    const id = sub.body.orderId as number;
    await waitFor(() => host.view.projection.order(id)!.stage === 'new', 'venue ack').catch((e: Error) => { const o = host.view.projection.order(id)!; throw new Error(`${e.message}: ${o.stage} ${o.state} ${o.rejectReason} ${JSON.stringify(host.localVenue!.exchange.status(id))}`); });
    const answers = await Promise.all([
      http(host, 'POST', `/api/orders/${id}/replace`, { quantity: 90, price: px }),
      http(host, 'POST', `/api/orders/${id}/replace`, { quantity: 80, price: px }),
      http(host, 'POST', `/api/orders/${id}/cancel`),
    ]);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    for (const a of answers.filter((x) => x.status !== 200)) expect(a.body.error.code).toBe('REQUEST_PENDING');
    await waitFor(() => { const o = host.view.projection.order(id)!; return !o.cancelPending && !o.replacePending; }, 'the request answered');
    const o = host.view.projection.order(id)!;
    expect(host.localVenue!.exchange.status(id).quantity === o.quantity || isTerminalStage(o.stage)).toBe(true);
    if (!isTerminalStage(o.stage)) await http(host, 'POST', `/api/orders/${id}/cancel`);
  });
});

describe('time in force, lots and self-trade prevention, end to end', () => {
  const events = (orderId: number) => host.view.eventTail().filter((l) => (l as { orderId?: number }).orderId === orderId);

  it('gtd: rests until its expiry time, then the venue expires it and the OMS hears it as OrderExpired{GTD_EXPIRED}', async () => {
    const px = Math.round(marketablePrice('MSFT') * 0.95 * 100) / 100;
    const bad = await http(host, 'POST', '/api/orders', order('MSFT', 'buy', 10, px, { timeInForce: 'gtd' }));
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe('order.expireTime: is required for a gtd order');
    const expireTime = new Date(Date.now() + 1500).toISOString();
    const r = await http(host, 'POST', '/api/orders', order('MSFT', 'buy', 10, px, { timeInForce: 'gtd', expireTime }));
    expect(r.status).toBe(200);
    const id = r.body.orderId as number;
    await waitFor(() => host.view.projection.order(id)!.state === 'new', 'live at the venue');
    expect(host.view.projection.order(id)!.expireAt).toBe(Date.parse(expireTime) * 1000);
    await waitFor(() => host.view.projection.order(id)!.state === 'expired', 'expired by the venue', 15_000);
    expect(events(id).find((l) => l.type === 'OrderExpired')).toMatchObject({ reason: Reason.GTD_EXPIRED });
  });

  it('fok: a quantity the book cannot fill at once expires whole, with nothing filled', async () => {
    // A limit below the best ask: nothing can trade at once, so all of it expires (an ioc would have expired too; a day order would rest).
    const px = Math.round(marketablePrice('AAPL') * 0.98 * 100) / 100;
    const r = await http(host, 'POST', '/api/orders', order('AAPL', 'buy', 10, px, { timeInForce: 'fok' }));
    const id = r.body.orderId as number;
    await waitFor(() => host.view.projection.order(id)!.state === 'expired', 'fok expired');
    expect(events(id).find((l) => l.type === 'OrderExpired')).toMatchObject({ reason: Reason.FOK_NOT_FILLED });
    expect(host.view.projection.order(id)!.filledQuantity).toBe(0);
    // One the book can fill at once trades all of it.
    const all = await http(host, 'POST', '/api/orders', order('AAPL', 'buy', 10, marketablePrice('AAPL'), { timeInForce: 'fok' }));
    await waitFor(() => host.view.projection.order(all.body.orderId)!.state === 'filled', 'fok filled');
  });

  it('odd and mixed lots: 150 and 37 shares of a US equity whose round lot is 100 are taken', async () => {
    expect(host.view.projection.instrument('INTC')).toMatchObject({ lotSize: 1, roundLot: 100 });
    for (const q of [150, 37]) {
      const r = await http(host, 'POST', '/api/orders', order('INTC', 'buy', q, marketablePrice('INTC')));
      const id = r.body.orderId as number;
      await waitFor(() => host.view.projection.order(id)!.stage !== 'pending', 'risk decided');
      expect(host.view.projection.order(id)!.state).not.toBe('rejected');
    }
  });

  it("self-trade prevention: a client's order crossing its own resting order cancels the resting one instead of trading", async () => {
    // The resting sell joins the best ask; the crossing buy takes everything up to that price (the market maker's
    // orders first, by priority) with room to spare, so it reaches the client's own order. The market maker trades
    // too: when it fills the resting sell first (or the book moves so the buy never reaches it), the attempt shows
    // nothing about STP and is made again. A self trade is never allowed in any attempt.
    const book = host.localVenue!.exchange.book('KO')!;
    let shown = false;
    for (let attempt = 1; attempt <= 6 && !shown; attempt++) {
      const sellPx = book.bestAsk()!;
      const rest = await http(host, 'POST', '/api/orders', order('KO', 'sell', 5, sellPx, { timeInForce: 'gtc', locate: true }));
      const restId = rest.body.orderId as number;
      await waitFor(() => host.view.projection.order(restId)!.state !== 'pending_new', 'resting sell at the venue');
      const ahead = book.depth(1000).asks.filter((l) => l.price <= sellPx).reduce((n, l) => n + l.quantity, 0);
      const cross = await http(host, 'POST', '/api/orders', order('KO', 'buy', 2 * ahead + 100, sellPx, { timeInForce: 'ioc' }));
      const crossId = cross.body.orderId as number;
      await waitFor(() => host.view.projection.order(crossId)!.state !== 'pending_new', 'the crossing order decided');
      expect(host.view.projection.order(crossId)!.rejectReason).toBeUndefined();
      await waitFor(() => isTerminalStage(host.view.projection.order(crossId)!.stage), 'the crossing order ended');
      expect(host.view.projection.fillsOf(crossId).every((f) => f.price <= sellPx)).toBe(true);
      const r = host.view.projection.order(restId)!;
      if (r.state === 'cancelled' && host.view.projection.fillsOf(restId).length === 0) {
        expect(events(restId).find((l) => l.type === 'OrderCancelled')).toMatchObject({ reason: Reason.SELF_TRADE_PREVENTED });
        shown = true;
        break;
      }
      // The market maker got there first: take what is left off the book and try again.
      if (!isTerminalStage(r.stage)) {
        await http(host, 'POST', `/api/orders/${restId}/cancel`);
        await waitFor(() => isTerminalStage(host.view.projection.order(restId)!.stage), 'the resting sell ended');
      }
    }
    expect(shown).toBe(true);
  });
});

