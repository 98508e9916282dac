import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir, waitFor } from '../helpers/backbone.ts';
import { order, startTestHost, unwrap } from '../helpers/host.ts';
import { field, freePort } from './helpers/quickfix.ts';

/**
 * A default install routing over FIX end to end: the exchange gateway's
 * FIX link (jspurefix initiator) to the simulated venue's FIX acceptor, in
 * front of the same order books. Fills, a replace and a cancel go both ways.
 */

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

/**
 * A host whose XNAS is the simulated venue's own FIX acceptor (FIX 4.4), reached over the exchange gateway's FIX
 * link; `traffic` collects every FIX message either way (`in …` / `out …`). `options` adds to the host's options.
 */
async function simFixHost(prefix: string, options: Partial<Parameters<typeof startTestHost>[0]> = {}) {
  const dir = tempDir(prefix);
  dirs.push(dir);
  const port = await freePort();
  const traffic: string[] = [];
  const host = await startTestHost({
    dataDir: join(dir, 'data'),
    venueIn: 'host',
    ...options,
    venueFixPort: port,
    fixVenues: [{ venueId: 'XNAS', host: '127.0.0.1', port, beginString: 'FIX.4.4', senderCompId: 'ORDO', targetCompId: 'ORDOSIM' }],
    onFixVenueTraffic: (_v, d, t) => traffic.push(`${d} ${t}`),
  });
  return { host, port, traffic };
}

describe('simulated venue over FIX', () => {
  it('orders route over FIX 4.4 to the simulated venue and fill; replace and cancel are confirmed', async () => {
    const { host, port, traffic } = await simFixHost('ordo-simfix-');
    try {
      expect(host.venueFix!.port).toBe(port);
      const fill = unwrap(await host.api.submitOrder({ clientId: 'ALPHA', clientOrderId: 's1', symbol: 'AAPL', side: 'buy', orderType: 'limit', quantity: 300, price: 240, timeInForce: 'day' })).orderId;
      await waitFor(() => host.view.projection.order(fill)!.state === 'filled', 'filled over FIX', 20_000);
      const rest = unwrap(await host.api.submitOrder({ clientId: 'ALPHA', clientOrderId: 's2', symbol: 'AAPL', side: 'buy', orderType: 'limit', quantity: 100, price: 210, timeInForce: 'day' })).orderId;
      await waitFor(() => host.view.projection.order(rest)!.state === 'new', 'resting');
      unwrap(await host.api.replaceOrder(rest, { quantity: 120, price: 211 }));
      await waitFor(() => host.view.projection.order(rest)!.quantity === 120 && !host.view.projection.order(rest)!.replacePending, 'replaced over FIX');
      unwrap(await host.api.cancelOrder(rest));
      await waitFor(() => host.view.projection.order(rest)!.state === 'cancelled', 'cancelled over FIX');
      // It really went over FIX: D, G, F out; trades, a replace and a cancel back.
      const out = traffic.filter((t) => t.startsWith('out ')).map((t) => /\|35=(\w+)\|/.exec(t)?.[1]);
      expect(out).toEqual(expect.arrayContaining(['D', 'G', 'F']));
      const execTypes = traffic.filter((t) => t.startsWith('in ') && t.includes('|35=8|')).map((t) => /\|150=(\w)\|/.exec(t)?.[1]);
      expect(execTypes).toEqual(expect.arrayContaining(['0', 'F', '5', '4']));
    } finally {
      await host.dispose();
    }
  }, 60_000);
  it('an explicit close parks a gtc order at the FIX venue (cancelled there, parked in Ordo); the open re-enters it under a new ClOrdID; a cancel ends it', async () => {
    const { host, traffic } = await simFixHost('ordo-simfix-park-');
    const view = (id: number) => host.view.projection.order(id)!;
    /** The venue's reports of one of Ordo's ClOrdIDs (ExecType 150 → the venue's OrderID 37 and OrdStatus 39). */
    const reports = (clOrdId: string) =>
      traffic.filter((t) => t.startsWith('in ') && field(t, 35) === '8' && field(t, 11) === clOrdId).map((t) => ({ execType: field(t, 150), venueId: Number(field(t, 37)), status: field(t, 39) }));
    const sent = (msgType: string) => traffic.filter((t) => t.startsWith('out ') && field(t, 35) === msgType);
    try {
      // A gtc buy resting 8% below the market, where the market maker never trades.
      const price = Number((host.view.projection.instrument('MSFT')!.referencePrice * 0.92).toFixed(2));
      const id = unwrap(await host.api.submitOrder(order('MSFT', 'buy', 70, price, { timeInForce: 'gtc' }))).orderId;
      await waitFor(() => view(id).state === 'new', 'resting at the FIX venue');
      const first = reports(String(id)).find((r) => r.execType === '0')!.venueId;
      expect(host.localVenue!.exchange.isLive(first)).toBe(true);

      // Explicit close: the park goes out as an OrderCancelRequest; the venue's cancel confirmation parks it in Ordo.
      const closed = host.sequencer.position.session;
      unwrap(await host.api.closeSession(120_000));
      expect(host.sequencer.position.phase).toBe('closed');
      const park = sent('F').find((t) => field(t, 41) === String(id))!;
      expect(field(park, 11)).toBe(`${id}.1`);
      expect(reports(`${id}.1`).map((r) => [r.execType, r.status])).toEqual([['4', '4']]);
      // The counterparty's view: no live order of it. Ordo's: parked (waiting for the router), by OrderParked in the closed session.
      expect(host.localVenue!.exchange.isLive(first)).toBe(false);
      expect(host.localVenue!.exchange.status(first).state).toBe('cancelled');
      await waitFor(() => view(id).stage === 'accepted', 'the view shows it parked');
      const log = unwrap(await host.api.getEvents({ session: closed, from: 1, limit: 100_000 }));
      const parkedAt = log.findIndex((l) => l.type === 'OrderParked' && l['orderId'] === id);
      expect(parkedAt).toBeGreaterThan(0);
      expect(log.findIndex((l) => l.type === 'SessionClosed')).toBeGreaterThan(parkedAt);
      expect(log.some((l) => l.type === 'OrderExpired' && l['orderId'] === id)).toBe(false);

      // Open: re-entered at the venue as a new NewOrderSingle, next ClOrdID of its chain, for what is left (all of it).
      unwrap(await host.api.openSession());
      await waitFor(() => view(id).state === 'new', 're-entered at the venue', 30_000);
      const reentry = sent('D').filter((t) => field(t, 11)?.startsWith(String(id)));
      expect(reentry.map((t) => [field(t, 11), Number(field(t, 38)), field(t, 59)])).toEqual([
        [String(id), 70, '1'],
        [`${id}.2`, 70, '1'],
      ]);
      const second = reports(`${id}.2`).find((r) => r.execType === '0')!.venueId;
      expect(second).not.toBe(first);
      expect(host.localVenue!.exchange.isLive(second)).toBe(true);

      // A cancel reaches the re-entered order at the venue.
      unwrap(await host.api.cancelOrder(id));
      await waitFor(() => view(id).state === 'cancelled', 'cancelled at the venue', 30_000);
      expect(reports(`${id}.3`).map((r) => r.execType)).toEqual(['4']);
      expect(host.localVenue!.exchange.isLive(second)).toBe(false);
      expect(view(id).filledQuantity).toBe(0);
    } finally {
      await host.dispose();
    }
  }, 180_000);
  it('a partly filled gtc order parked at the FIX venue is re-entered for the remaining quantity; later fills add to the fills it kept', async () => {
    // No market maker (steps only when asked, never here): the only liquidity is the test's own orders.
    const { host, traffic } = await simFixHost('ordo-simfix-parkfill-', { venueTickMs: 0 });
    const view = (id: number) => host.view.projection.order(id)!;
    try {
      const px = host.view.projection.instrument('MSFT')!.referencePrice;
      const sell = unwrap(await host.api.submitOrder(order('MSFT', 'sell', 100, px, { timeInForce: 'gtc', locate: true }))).orderId;
      await waitFor(() => view(sell).state === 'new', 'sell resting at the FIX venue');
      const buy1 = unwrap(await host.api.submitOrder({ ...order('MSFT', 'buy', 30, px), clientId: 'BRAVO' })).orderId;
      await waitFor(() => view(buy1).state === 'filled' && view(sell).filledQuantity === 30, 'first cross');

      unwrap(await host.api.closeSession(120_000));
      await waitFor(() => view(sell).stage === 'accepted', 'parked with its fills');
      expect(view(sell).filledQuantity).toBe(30);
      unwrap(await host.api.openSession());
      // Acknowledged again at the venue: partially filled, its fills kept.
      await waitFor(() => view(sell).stage === 'partially_filled', 're-entered', 30_000);
      expect(view(sell).state).toBe('partially_filled');
      expect(view(sell).filledQuantity).toBe(30);
      // The re-entry: a new order at the venue for the 70 left, under the next ClOrdID of the chain.
      const d = traffic.filter((t) => t.startsWith('out ') && field(t, 35) === 'D' && field(t, 11)?.split('.')[0] === String(sell));
      expect(d.map((t) => [field(t, 11), Number(field(t, 38))])).toEqual([
        [String(sell), 100],
        [`${sell}.2`, 70],
      ]);

      // A second cross trades the re-entered order; Ordo's order adds it to the fills it kept.
      const buy2 = unwrap(await host.api.submitOrder({ ...order('MSFT', 'buy', 20, px), clientId: 'BRAVO' })).orderId;
      await waitFor(() => view(buy2).state === 'filled' && view(sell).filledQuantity === 50, 'second cross', 30_000);
      expect(view(sell).quantity).toBe(100);
      unwrap(await host.api.cancelOrder(sell));
      await waitFor(() => view(sell).state === 'cancelled', 'rest cancelled at the venue', 30_000);
      expect(view(sell).filledQuantity).toBe(50);
      expect(view(sell).avgPrice).toBeCloseTo(px, 6);
    } finally {
      await host.dispose();
    }
  }, 180_000);
});
