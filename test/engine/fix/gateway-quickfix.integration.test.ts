import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Host } from '../../../engine/host/host.ts';
import { execIdNumber, type FixVenueConfig } from '../../../engine/fix/gateway/link.ts';
import { Reason } from '../../../engine/protocol/reasons.ts';
import { removeDir, tempDir, waitFor } from '../helpers/backbone.ts';
import { startTestHost, unwrap } from '../helpers/host.ts';
import { field, startQuickFixAcceptor, type QuickFixProcess } from './helpers/quickfix.ts';
import { startTcpProxy } from './helpers/tcp-proxy.ts';

/**
 * Ordo's FIX venue gateway routes to QuickFIX C++ acceptors (Debian's
 * example programs, an independent FIX engine): `executor` (fills every
 * limit order at its price) over FIX 4.4 and `ordermatch` (a matching
 * engine) over FIX 4.2. What Ordo's log says is checked against what the
 * counterparty logged.
 */

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

async function submit(host: Host, clientOrderId: string, side: 'buy' | 'sell', quantity: number, price: number): Promise<number> {
  // Sells go short (no position first): with a locate, as risk's short-sale check asks.
  return unwrap(await host.api.submitOrder({ clientId: 'ALPHA', clientOrderId, symbol: 'AAPL', side, orderType: 'limit', quantity, price, timeInForce: 'day', ...(side === 'sell' ? { locate: true } : {}) })).orderId;
}

function order(host: Host, id: number) {
  return host.view.projection.order(id)!;
}

/** Ordo's fills of an order, from its log. */
async function fillsOf(host: Host, orderId: number): Promise<{ execId: number; fillQty: number; fillPrice: number }[]> {
  const pos = host.sequencer.position;
  const lines = unwrap(await host.api.getEvents({ session: pos.session, from: 1, to: pos.seq }));
  return lines.filter((l) => l.type === 'OrderExecuted' && l['orderId'] === orderId).map((l) => ({ execId: l['execId'] as number, fillQty: l['fillQty'] as number, fillPrice: l['fillPrice'] as number }));
}

/** The counterparty's ExecutionReports with a trade in them (ExecType 1/2/F), by ClOrdID. */
function venueTrades(qf: QuickFixProcess): { clOrdId: string; execId: string; qty: number; px: number }[] {
  return qf
    .messages()
    .filter((m) => m.direction === 'outgoing' && field(m.text, 35) === '8' && ['1', '2', 'F'].includes(field(m.text, 150) ?? '') && field(m.text, 43) !== 'Y')
    .map((m) => ({ clOrdId: field(m.text, 11)!, execId: field(m.text, 17)!, qty: Number(field(m.text, 32)), px: Number(field(m.text, 31)) }));
}

/** A QuickFIX C++ `ordermatch` acceptor (FIX 4.2) in a fresh test directory. */
async function startOrdermatch(prefix: string): Promise<{ dir: string; qf: QuickFixProcess }> {
  const dir = tempDir(prefix);
  dirs.push(dir);
  const qf = await startQuickFixAcceptor('ordermatch', { dir: join(dir, 'ordermatch'), begin: 'FIX.4.2', senderCompId: 'MATCH', targetCompId: 'ORDO' });
  return { dir, qf };
}

/** Ordo's XNAS as a FIX 4.2 venue at `port` (ordermatch's, or a proxy's in front of it). */
function ordermatchVenue(port: number, more: Partial<FixVenueConfig> = {}): FixVenueConfig {
  return { venueId: 'XNAS', host: '127.0.0.1', port, beginString: 'FIX.4.2', senderCompId: 'ORDO', targetCompId: 'MATCH', ...more };
}

describe('FIX venue gateway against QuickFIX C++', () => {
  it('executor (FIX 4.4): orders fill at their limit; a crash of the venue mid-stream, orders held, reconnect, reconciliation, the rest fill', async () => {
    const dir = tempDir('ordo-fixgw-exec-');
    dirs.push(dir);
    let qf = await startQuickFixAcceptor('executor', { dir: join(dir, 'executor'), begin: 'FIX.4.4', senderCompId: 'EXEC', targetCompId: 'ORDO' });
    const port = qf.port;
    const host = await startTestHost({
      dataDir: join(dir, 'data'),
      fixVenues: [{ venueId: 'XNAS', host: '127.0.0.1', port, beginString: 'FIX.4.4', senderCompId: 'ORDO', targetCompId: 'EXEC', reconnectSeconds: 0.5, reconcileTimeoutMs: 2000 }],
    });
    try {
      const ids: number[] = [];
      for (let i = 0; i < 5; i++) ids.push(await submit(host, `e${i}`, i % 2 ? 'sell' : 'buy', 10 + i, 228 + i / 100));
      for (const id of ids) await waitFor(() => order(host, id).state === 'filled', `order ${id} filled`, 20_000);
      for (const [i, id] of ids.entries()) {
        expect(order(host, id).avgPrice).toBeCloseTo(228 + i / 100, 6);
        expect(order(host, id).venue).toBe('XNAS');
      }

      // The venue crashes (no Logout). Orders sent meanwhile wait in the link.
      const before = qf.messages();
      await qf.kill();
      const later: number[] = [];
      for (let i = 0; i < 3; i++) later.push(await submit(host, `late${i}`, 'buy', 20 + i, 227.5));
      await new Promise((r) => setTimeout(r, 300));
      for (const id of later) expect(['pending_new', 'new']).toContain(order(host, id).state);
      // It comes back on the same port with its store: the link logs on again with the sequence numbers it had.
      qf = await startQuickFixAcceptor('executor', { dir: join(dir, 'executor'), begin: 'FIX.4.4', senderCompId: 'EXEC', targetCompId: 'ORDO', port });
      for (const id of later) await waitFor(() => order(host, id).state === 'filled', `late order ${id} filled`, 30_000);

      // The counterparty's log agrees with Ordo's: every trade it reported is one fill in Ordo's log, same qty and price.
      const trades = [...venueTrades({ ...qf, messages: () => before }), ...venueTrades(qf)];
      const all = [...ids, ...later];
      expect(trades).toHaveLength(all.length);
      for (const id of all) {
        const fills = await fillsOf(host, id);
        expect(fills).toHaveLength(1);
        const t = trades.find((x) => x.clOrdId === String(id))!;
        expect(fills[0]).toEqual({ execId: execIdNumber(t.execId), fillQty: t.qty, fillPrice: t.px });
      }
      // The relogon went on from the sequence numbers both sides had stored (no reset).
      const logons = qf.messages().filter((m) => m.direction === 'incoming' && field(m.text, 35) === 'A');
      expect(Number(field(logons[0]!.text, 34))).toBeGreaterThan(1);
      expect(field(logons[0]!.text, 141) ?? 'N').toBe('N');
    } finally {
      await host.dispose();
      await qf.stop();
    }
  }, 120_000);

  it('ordermatch (FIX 4.2): resting orders, a cross with partial fills, a cancel of the remainder', async () => {
    const { dir, qf } = await startOrdermatch('ordo-fixgw-om-');
    const host = await startTestHost({ dataDir: join(dir, 'data'), fixVenues: [ordermatchVenue(qf.port)] });
    try {
      const sell = await submit(host, 'om-sell', 'sell', 100, 229);
      await waitFor(() => order(host, sell).state === 'new', 'sell resting');
      const buy1 = await submit(host, 'om-buy1', 'buy', 30, 229);
      const buy2 = await submit(host, 'om-buy2', 'buy', 25, 229.5);
      await waitFor(() => order(host, buy1).state === 'filled' && order(host, buy2).state === 'filled', 'buys filled');
      await waitFor(() => order(host, sell).filledQuantity === 55, 'sell partially filled');
      expect(order(host, sell).state).toBe('partially_filled');
      expect(order(host, sell).avgPrice).toBeCloseTo(229, 6);
      unwrap(await host.api.cancelOrder(sell));
      await waitFor(() => order(host, sell).state === 'cancelled', 'remainder cancelled');
      expect(order(host, sell).filledQuantity).toBe(55);

      // The counterparty's log: its trades are Ordo's fills, one for one.
      const trades = venueTrades(qf);
      for (const id of [sell, buy1, buy2]) {
        const fills = await fillsOf(host, id);
        const theirs = trades.filter((t) => t.clOrdId === String(id));
        expect(fills.map((f) => [f.execId, f.fillQty, f.fillPrice])).toEqual(theirs.map((t) => [execIdNumber(t.execId), t.qty, t.px]));
      }
      const cancels = qf.messages().filter((m) => m.direction === 'outgoing' && field(m.text, 35) === '8' && field(m.text, 150) === '4');
      expect(cancels.map((m) => field(m.text, 11))).toEqual([String(sell)]);
    } finally {
      await host.dispose();
      await qf.stop();
    }
  }, 120_000);
  it('ordermatch (FIX 4.2): the link drops between partial fills (both ends keep running), an order waits, the link logs on again with stored sequence numbers, the rest trades', async () => {
    const { dir, qf } = await startOrdermatch('ordo-fixgw-omdrop-');
    const proxy = await startTcpProxy(qf.port);
    const host = await startTestHost({
      dataDir: join(dir, 'data'),
      fixVenues: [ordermatchVenue(proxy.port, { reconnectSeconds: 0.5, reconcileTimeoutMs: 2000 })],
    });
    try {
      const sell = await submit(host, 'omd-sell', 'sell', 100, 229);
      await waitFor(() => order(host, sell).state === 'new', 'sell resting');
      const buy1 = await submit(host, 'omd-buy1', 'buy', 30, 229);
      await waitFor(() => order(host, buy1).state === 'filled' && order(host, sell).filledQuantity === 30, 'first cross');

      // The link drops; an order sent now cannot reach the venue and waits.
      proxy.cut();
      const buy2 = await submit(host, 'omd-buy2', 'buy', 25, 229.5);
      await new Promise((r) => setTimeout(r, 500));
      expect(['pending_new', 'new']).toContain(order(host, buy2).state);
      expect(qf.messages().some((m) => m.direction === 'incoming' && field(m.text, 11) === String(buy2))).toBe(false);

      // Back up: the link logs on again (stored sequence numbers, no reset), reconciles, sends what waited.
      proxy.restore();
      await waitFor(() => order(host, buy2).state === 'filled' && order(host, sell).filledQuantity === 55, 'second cross after the reconnect', 30_000);
      expect(order(host, sell).state).toBe('partially_filled');
      unwrap(await host.api.cancelOrder(sell));
      await waitFor(() => order(host, sell).state === 'cancelled', 'remainder cancelled', 30_000);
      expect(order(host, sell).filledQuantity).toBe(55);

      const logons = qf.messages().filter((m) => m.direction === 'incoming' && field(m.text, 35) === 'A');
      expect(logons.length).toBeGreaterThanOrEqual(2);
      expect(Number(field(logons.at(-1)!.text, 34))).toBeGreaterThan(1);
      expect(field(logons.at(-1)!.text, 141) ?? 'N').toBe('N');
      // The counterparty's log: every trade it reported is one fill in Ordo's log, same id, qty and price.
      const trades = venueTrades(qf);
      for (const id of [sell, buy1, buy2]) {
        const fills = await fillsOf(host, id);
        const theirs = trades.filter((t) => t.clOrdId === String(id));
        expect(fills.map((f) => [f.execId, f.fillQty, f.fillPrice])).toEqual(theirs.map((t) => [execIdNumber(t.execId), t.qty, t.px]));
      }
    } finally {
      await host.dispose();
      await proxy.close();
      await qf.stop();
    }
  }, 120_000);
  it('ordermatch (FIX 4.2): an explicit close takes a resting day order off the venue with an OrderCancelRequest (its confirmation echoes the order\'s ClOrdID); no forced close', async () => {
    const { dir, qf } = await startOrdermatch('ordo-fixgw-omclose-');
    const host = await startTestHost({ dataDir: join(dir, 'data'), fixVenues: [ordermatchVenue(qf.port)] });
    try {
      const sell = await submit(host, 'omc-sell', 'sell', 40, 231);
      await waitFor(() => order(host, sell).state === 'new', 'sell resting');
      const session = host.sequencer.position.session;
      unwrap(await host.api.closeSession(120_000));
      expect(host.sequencer.position.phase).toBe('closed');
      // Ordo's log: the venue's confirmation expired it inside the closing session, before SessionClosed; not forced.
      const log = unwrap(await host.api.getEvents({ session, from: 1, limit: 100_000 }));
      const expired = log.findIndex((l) => l.type === 'OrderExpired' && l['orderId'] === sell);
      expect(expired).toBeGreaterThan(0);
      expect(log[expired]!['reason']).not.toBe(Reason.SESSION_CLOSE_FORCED);
      expect(log.findIndex((l) => l.type === 'SessionClosed')).toBeGreaterThan(expired);
      // The counterparty's log: it got the OrderCancelRequest and took the order off its book (ExecType 4, nothing left).
      const f = qf.messages().filter((m) => m.direction === 'incoming' && field(m.text, 35) === 'F');
      expect(f.map((m) => [field(m.text, 41), field(m.text, 11)])).toEqual([[String(sell), `${sell}.1`]]);
      const cxl = qf.messages().filter((m) => m.direction === 'outgoing' && field(m.text, 35) === '8' && field(m.text, 150) === '4');
      expect(cxl.map((m) => [field(m.text, 11), field(m.text, 39), field(m.text, 151)])).toEqual([[String(sell), '4', '0']]);
    } finally {
      await host.dispose();
      await qf.stop();
    }
  }, 180_000);
});
