import { afterEach, describe, expect, it } from 'vitest';
import { Dealer } from 'zeromq';
import { Reason } from '../../engine/protocol/reasons.ts';
import { MarketDataSubscriber, VenueClient } from '../../engine/venue/client.ts';
import { decodeReplies, type MarketData, type NewOrderMsg, type VenueReply, type VenueRequest } from '../../engine/venue/protocol.ts';
import { startVenue, type Venue, type VenueInstrument } from '../../engine/venue/venue.ts';

const INSTRUMENTS: VenueInstrument[] = [
  { symbol: 'AAPL', tickSize: 0.01, lotSize: 1, referencePrice: 189.25, venue: 'XNAS' },
  { symbol: 'AAPL 250620C190', tickSize: 0.05, lotSize: 1, referencePrice: 4.1, venue: 'XCBO' },
  { symbol: 'INTC', tickSize: 0.01, lotSize: 100, referencePrice: 24.18, venue: 'XNAS' },
];

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function venue(over: Partial<Parameters<typeof startVenue>[0]> = {}): Promise<Venue> {
  const v = await startVenue({
    routerEndpoint: 'tcp://127.0.0.1:*',
    marketDataEndpoint: 'tcp://127.0.0.1:*',
    instruments: INSTRUMENTS,
    seed: 42,
    tickMs: 0,
    marketDataIntervalMs: 20,
    ...over,
  });
  closers.push(() => v.close());
  return v;
}

/** A client that records every reply and can wait for one. */
function client(endpoint: string, routingId?: string) {
  const errors: unknown[] = [];
  const c = new VenueClient({ endpoint, onError: (e) => errors.push(e), ...(routingId ? { routingId } : {}) });
  closers.push(() => c.close());
  const seen: VenueReply[] = [];
  const waiters: { pred: (r: VenueReply[]) => boolean; resolve: () => void }[] = [];
  c.onMessage((m) => {
    seen.push(m);
    for (const w of waiters.splice(0)) {
      if (w.pred(seen)) w.resolve();
      else waiters.push(w);
    }
  });
  const until = (pred: (r: VenueReply[]) => boolean, ms = 3000): Promise<VenueReply[]> =>
    new Promise((resolve, reject) => {
      if (pred(seen)) return resolve(seen);
      const timer = setTimeout(() => reject(new Error(`timed out; got ${JSON.stringify(seen.slice(-5))}`)), ms);
      waiters.push({ pred, resolve: () => (clearTimeout(timer), resolve(seen)) });
    });
  return { c, seen, until, errors };
}

function order(orderId: number, o: Partial<NewOrderMsg> = {}): NewOrderMsg {
  return { type: 'NewOrder', orderId, symbol: 'AAPL', side: 'buy', orderType: 'limit', timeInForce: 'day', quantity: 100, price: 180, ...o };
}

const ofOrder = (seen: VenueReply[], id: number) => seen.filter((r) => 'orderId' in r && r.orderId === id);

describe('simulated venue over ZeroMQ', () => {
  it('fills an order that crosses the spread, reporting partial fills that add up', async () => {
    const v = await venue();
    v.step();
    const book = v.exchange.book('AAPL')!;
    const ask = book.bestAsk()!;
    const { c, until, errors } = client(v.routerEndpoint);
    // Take the whole top level and then some, at a limit two levels deep: several fills, remainder rests.
    const topTwo = book.depth(2).asks.reduce((s, l) => s + l.quantity, 0);
    c.send(order(1, { price: ask + 0.01, quantity: topTwo + 50 }));
    const seen = await until((s) => s.some((r) => r.type === 'Fill' && r.leaves === 50));
    const mine = ofOrder(seen, 1);
    expect(mine[0]).toEqual({ type: 'Ack', orderId: 1 });
    const fills = mine.filter((r) => r.type === 'Fill');
    expect(fills.length).toBeGreaterThanOrEqual(2);
    expect(fills.reduce((s, f) => s + f.quantity, 0)).toBe(topTwo);
    expect(new Set(fills.map((f) => f.execId)).size).toBe(fills.length);
    expect(fills.map((f) => f.execId)).toEqual([...fills.map((f) => f.execId)].sort((a, b) => a - b));
    expect(book.bestBid()).toBe(ask + 0.01);
    expect(errors).toEqual([]);
  });

  it('never creates a second order for a resent NewOrder', async () => {
    const v = await venue({ simulateLiquidity: false });
    const { c, until } = client(v.routerEndpoint);
    c.send([order(5), order(5, { quantity: 999 })]);
    await until((s) => s.length >= 2);
    c.send(order(5));
    const seen = await until((s) => s.length >= 3);
    expect(seen.map((r) => r.type)).toEqual(['Ack', 'OrderStatus', 'OrderStatus']);
    expect(seen[2]).toEqual({ type: 'OrderStatus', orderId: 5, state: 'open', quantity: 100, price: 180, filledQuantity: 0, leaves: 100, fills: [] });
    expect(v.exchange.book('AAPL')!.size).toBe(1);
    expect(v.stats()).toMatchObject({ duplicates: 2, knownOrders: 1 });
  });

  it('publishes throttled market data per symbol, topic-filtered exactly', async () => {
    const v = await venue({ tickMs: 10 });
    const sub = new MarketDataSubscriber({ endpoint: v.marketDataEndpoint, symbols: ['AAPL'] });
    closers.push(() => sub.close());
    const got: MarketData[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no market data')), 4000);
      sub.onData((md) => {
        got.push(md);
        if (got.length >= 5) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    expect(got.every((m) => m.symbol === 'AAPL')).toBe(true);
    const m = got.at(-1)!;
    expect(m.bid).toBeLessThan(m.ask!);
    expect(m.bids).toHaveLength(5);
    expect(m.asks[0]).toEqual([m.ask, m.askSize]);
    for (let i = 1; i < got.length; i++) expect(got[i]!.seq).toBeGreaterThan(got[i - 1]!.seq);
    // Throttled: a 10 ms walk published at most every 20 ms.
    const span = got.at(-1)!.timeMs - got[0]!.timeMs;
    expect(span).toBeGreaterThanOrEqual(15 * (got.length - 1));
  });

  it('takes a burst of orders in many send() calls without EBUSY and answers every one', async () => {
    const v = await venue({ simulateLiquidity: false, routerEndpoint: 'inproc://venue-burst', marketDataEndpoint: 'inproc://venue-burst-md' });
    const { c, seen, errors } = client(v.routerEndpoint);
    const n = 20_000;
    let fills = 0;
    const allFilled = new Promise<void>((resolve) => c.onMessage((m) => m.type === 'Fill' && ++fills === n && resolve()));
    for (let i = 0; i < n; i += 100) {
      const batch: VenueRequest[] = [];
      for (let j = i; j < i + 100; j++) {
        batch.push(order(j + 1, { side: j % 2 ? 'sell' : 'buy', price: 180, quantity: 100 }));
      }
      c.send(batch);
      if (i % 2000 === 0) await new Promise((r) => setImmediate(r));
    }
    await c.flushed();
    await allFilled;
    expect(seen.filter((r) => r.type === 'Ack')).toHaveLength(n);
    expect(errors).toEqual([]);
    expect(v.stats()).toMatchObject({ requests: n, fills: n, openOrders: 0 });
    expect(v.stats().framesOut).toBeLessThan(n / 10);
  });

  it('lets a restarted gateway reclaim its orders with Status and then receive their fills', async () => {
    const v = await venue({ simulateLiquidity: false });
    const first = client(v.routerEndpoint);
    first.c.send(order(1, { price: 185, quantity: 300 }));
    await first.until((s) => s.length >= 1);
    await first.c.close();

    const second = client(v.routerEndpoint);
    second.c.send({ type: 'Status', orderIds: [1, 2] });
    await second.until((s) => s.length >= 2);
    expect(second.seen.map((r) => r.type === 'OrderStatus' && r.state)).toEqual(['open', 'unknown']);

    const other = client(v.routerEndpoint);
    other.c.send(order(2, { side: 'sell', price: 185, quantity: 100 }));
    const seen = await second.until((s) => s.some((r) => r.type === 'Fill'));
    expect(seen.at(-1)).toMatchObject({ type: 'Fill', orderId: 1, quantity: 100, price: 185, leaves: 200 });
  });

  it('rejects orders that break venue rules and answers garbage with ProtocolError', async () => {
    const v = await venue({ simulateLiquidity: false });
    const { c, until } = client(v.routerEndpoint);
    c.send([order(1, { symbol: 'INTC', quantity: 150, price: 24 }), order(2, { price: 180.001 }), { type: 'Cancel', orderId: 77 }]);
    const seen = await until((s) => s.length >= 3);
    expect(seen.map((r) => [r.type, 'reason' in r ? r.reason : 0])).toEqual([
      ['Rejected', Reason.VENUE_REJECT],
      ['Rejected', Reason.VENUE_REJECT],
      ['CancelRejected', Reason.UNKNOWN_ORDER],
    ]);

    const raw = new Dealer({ linger: 0 });
    closers.push(async () => raw.close());
    raw.connect(v.routerEndpoint);
    await raw.send(Buffer.from('not msgpack at all'));
    const [frame] = await raw.receive();
    expect(decodeReplies(frame!)[0]).toMatchObject({ type: 'ProtocolError' });
    expect(v.stats().protocolErrors).toBe(1);
  });
});
