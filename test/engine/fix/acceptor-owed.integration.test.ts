import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Host } from '../../../engine/host/host.ts';
import { removeDir, tempDir, waitFor } from '../helpers/backbone.ts';
import { startTestHost, unwrap } from '../helpers/host.ts';
import { ImpliedNews } from '../helpers/implied-new.ts';
import { checkExecReport, checkTrades, flat } from './helpers/fix44.ts';
import { JsFixClient } from './helpers/jsfix-client.ts';

/**
 * What a FIX client is owed, beyond memory and across session rolls
 * (decisions 102, 103): a disconnected client's owed reports are bounded in
 * memory and derived again from the log when it comes back; reports of
 * orders carried over a session roll (gtc) reach the client, connected or not.
 */

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

const px = (h: Host, sym: string, f: number) => Number((Math.round((h.view.projection.instrument(sym)!.referencePrice * f) / 0.01) * 0.01).toFixed(2));

const reportable = new Set(['OrderPending', 'OrderAcknowledged', 'OrderRejected', 'VenueRejected', 'OrderExecuted', 'CancelRequested', 'OrderCancelled', 'ReplaceRequested', 'OrderReplaced', 'OrderExpired', 'CancelRejected', 'ReplaceRejected']);

/** ExecIDs (`session.seq`) of every reportable event of `client`'s orders in the session, from `fromSeq`. */
async function loggedExecIds(host: Host, client: string, fromSeq: number, session = host.sequencer.position.session): Promise<string[]> {
  const lines = unwrap(await host.api.getEvents({ session, from: 1, to: 1_000_000, limit: 1_000_000 }));
  const mine = new Set<number>();
  const out: string[] = [];
  const implied = new ImpliedNews();
  for (const l of lines) {
    const ev = l as { type: string; orderId?: number; clientId?: string };
    if ((ev.type === 'OrderPending' || ev.type === 'OrderRestored') && ev.clientId === client) mine.add(ev.orderId!);
    const newId = implied.before(session, l.seq, ev);
    if (l.seq >= fromSeq && ev.orderId !== undefined && mine.has(ev.orderId) && newId !== undefined) out.push(newId);
    if (l.seq >= fromSeq && ev.orderId !== undefined && mine.has(ev.orderId) && reportable.has(ev.type)) out.push(`${session}.${l.seq}`);
  }
  return out;
}

/** ExecIDs of the reports a client got first-hand (not PossDup resends, not status answers). */
const execIds = (c: JsFixClient) => c.received.filter((r) => r.msgType === '8' && !r.possDup && r.body['ExecType'] !== 'I').map((r) => String(r.body['ExecID']));

describe('FIX acceptor: owed reports', () => {
  it('keeps at most maxOwed reports in memory for a disconnected client, rebuilds the rest from the log on reconnect', async () => {
    const dir = tempDir('ordo-fix-owed-');
    dirs.push(dir);
    const host = await startTestHost({ dataDir: join(dir, 'data'), fixPort: 0, fixMaxOwed: 4 });
    const port = await host.fix!.whenListening();
    const storeDir = join(dir, 'client');
    const alpha = () => host.fix!.sessions().find((s) => s.clientId === 'ALPHA')!;
    try {
      let c = new JsFixClient({ port, compId: 'ALPHA', storeDir });
      await c.logon();
      const firstSeq = host.sequencer.position.seq + 1;
      c.drop();
      await waitFor(() => !alpha().connected, 'acceptor sees the drop');

      // Away: three orders trade (about 12+ reports), more than the 4 the acceptor may hold.
      const ids: number[] = [];
      for (const [i, qty] of [300, 200, 250].entries()) {
        ids.push(unwrap(await host.api.submitOrder({ clientId: 'ALPHA', clientOrderId: `away-${i}`, symbol: 'AAPL', side: 'buy', orderType: 'limit', quantity: qty, price: px(host, 'AAPL', 1.02), timeInForce: 'day' })).orderId);
        expect(alpha().owed).toBeLessThanOrEqual(4);
      }
      await waitFor(() => ids.every((id) => host.view.projection.order(id)!.state === 'filled'), 'away orders filled');
      expect(alpha().owed).toBe(0);
      // Dropped from memory: owed from the client's cursor (its logon), to be read from the log.
      expect(alpha().rebuildFrom).toBeGreaterThan(0);
      expect(alpha().rebuildFrom).toBeLessThanOrEqual(firstSeq);

      c = new JsFixClient({ port, compId: 'ALPHA', storeDir });
      await c.logon();
      await waitFor(() => ids.every((_, i) => c.reports(`away-${i}`).some((r) => r.body['OrdStatus'] === '2')) && alpha().rebuildFrom === undefined, 'reports rebuilt from the log');
      for (const [i, qty] of [300, 200, 250].entries()) {
        const fs = c.reports(`away-${i}`).map((r) => flat(r.body));
        fs.forEach((f) => checkExecReport(f, 'ALPHA'));
        expect(fs.slice(0, 2).map((f) => `${String(f['ExecType'])}/${String(f['OrdStatus'])}`)).toEqual(['A/A', '0/0']);
        expect(checkTrades(fs).cum).toBe(qty);
      }

      // Back to the live stream: a new order's reports come from memory again.
      c.send('D', { ClOrdID: 'live-1', Instrument: { Symbol: 'AAPL' }, Side: '1', OrderQtyData: { OrderQty: 50 }, OrdType: '2', Price: px(host, 'AAPL', 1.02), TimeInForce: '0', TransactTime: new Date() });
      await c.waitReport((r) => r.body['ClOrdID'] === 'live-1' && r.body['OrdStatus'] === '2', 'live-1 filled');
      await waitFor(() => alpha().owed === 0, 'nothing owed');
      // Exactly the log's reportable events of ALPHA, once each, in log order.
      expect(execIds(c)).toEqual(await loggedExecIds(host, 'ALPHA', firstSeq));
      await c.logout();
    } finally {
      await host.dispose();
    }
  }, 120_000);

  it('reports executions of a gtc order carried over a session roll, to a connected client and to one that was away (which also gets the old session\'s tail first)', async () => {
    const dir = tempDir('ordo-fix-roll-');
    dirs.push(dir);
    const host = await startTestHost({ dataDir: join(dir, 'data'), fixPort: 0 });
    const port = await host.fix!.whenListening();
    const sess = (id: string) => host.fix!.sessions().find((s) => s.clientId === id)!;
    const gtc = (clOrdId: string, qty: number) => ({
      ClOrdID: clOrdId, Instrument: { Symbol: 'AAPL' }, Side: '1', OrderQtyData: { OrderQty: qty }, OrdType: '2', Price: px(host, 'AAPL', 0.95), TimeInForce: '1', TransactTime: new Date(),
    });
    try {
      // ALPHA stays connected across the roll; BRAVO logs on, rests a gtc and a day order and goes away before it.
      const a = new JsFixClient({ port, compId: 'ALPHA', storeDir: join(dir, 'alpha') });
      await a.logon();
      a.send('D', gtc('a-gtc', 100));
      await a.waitReport((r) => r.body['ClOrdID'] === 'a-gtc' && r.body['ExecType'] === '0', 'a-gtc new');
      let b = new JsFixClient({ port, compId: 'BRAVO', storeDir: join(dir, 'bravo') });
      await b.logon();
      b.send('D', gtc('b-gtc', 80));
      await b.waitReport((r) => r.body['ClOrdID'] === 'b-gtc' && r.body['ExecType'] === '0', 'b-gtc new');
      b.send('D', { ...gtc('b-day', 40), TimeInForce: '0' });
      await b.waitReport((r) => r.body['ClOrdID'] === 'b-day' && r.body['ExecType'] === '0', 'b-day new');
      const bId = Number(b.reports('b-gtc')[0]!.body['OrderID']);
      await b.logout();
      await waitFor(() => !sess('BRAVO').connected, 'BRAVO gone');
      const oldSession = host.sequencer.position.session;
      const awayFrom = host.sequencer.position.seq + 1;
      // Still in the old session, while BRAVO is away: its gtc order is replaced (reports owed in the old session);
      // the roll then expires its day order (also the old session's).
      unwrap(await host.api.replaceOrder(bId, { quantity: 80, price: px(host, 'AAPL', 0.96) }));
      await waitFor(() => host.view.projection.order(bId)?.price === px(host, 'AAPL', 0.96), 'b-gtc replaced before the roll');

      const roll = unwrap(await host.api.rollSession());
      expect(roll.sessionId).toBe(roll.closedSessionId + 1);
      await waitFor(() => host.view.projection.order(bId)?.state === 'new', 'b-gtc carried');

      // After the roll: ALPHA replaces its carried order to a marketable price over FIX (its ClOrdID chain still
      // resolves); BRAVO's carried order is made marketable on the API path while BRAVO is away.
      a.send('G', { ClOrdID: 'a-gtc-2', OrigClOrdID: 'a-gtc', Instrument: { Symbol: 'AAPL' }, Side: '1', OrderQtyData: { OrderQty: 100 }, OrdType: '2', Price: px(host, 'AAPL', 1.02), TransactTime: new Date() });
      await a.waitReport((r) => r.body['ClOrdID'] === 'a-gtc-2' && r.body['OrdStatus'] === '2', 'a-gtc filled after the roll');
      const after = a.reports('a-gtc-2').map((r) => flat(r.body));
      after.forEach((f) => checkExecReport(f, 'ALPHA'));
      expect(after.map((f) => String(f['ExecType']))).toEqual(expect.arrayContaining(['E', '5', 'F']));
      expect(after.every((f) => String(f['ExecID']).startsWith(`${roll.sessionId}.`))).toBe(true);
      expect(checkTrades(after).cum).toBe(100);

      unwrap(await host.api.replaceOrder(bId, { quantity: 80, price: px(host, 'AAPL', 1.02) }));
      await waitFor(() => host.view.projection.order(bId)?.state === 'filled', 'b-gtc filled while BRAVO is away');
      expect(sess('BRAVO').owed).toBeGreaterThan(0);
      b = new JsFixClient({ port, compId: 'BRAVO', storeDir: join(dir, 'bravo') });
      await b.logon();
      // By OrderID: after a replace made on the API path the order's ClOrdID is Ordo's (decision 103).
      const ofB = () => b.received.filter((r) => r.msgType === '8' && r.body['OrderID'] === String(bId));
      await waitFor(() => ofB().some((r) => r.body['OrdStatus'] === '2'), 'BRAVO gets the fills of its carried order');
      const fs = ofB().filter((r) => String(r.body['ExecID']).startsWith(`${roll.sessionId}.`)).map((r) => flat(r.body));
      fs.forEach((f) => checkExecReport(f, 'BRAVO'));
      expect(checkTrades(fs).cum).toBe(80);
      await waitFor(() => sess('BRAVO').owed === 0, 'nothing owed to BRAVO');
      // What BRAVO missed, in log order: the old session's tail (the replace, the day order's expiry at the close),
      // then the new session's fills; each exactly once.
      const missedOld = await loggedExecIds(host, 'BRAVO', awayFrom, oldSession);
      expect(missedOld.length).toBeGreaterThanOrEqual(3);
      expect(execIds(b)).toEqual([...missedOld, ...(await loggedExecIds(host, 'BRAVO', 1))]);
      const day = b.reports('b-day').map((r) => flat(r.body));
      expect(day.map((f) => `${String(f['ExecType'])}/${String(f['OrdStatus'])}`)).toEqual(['C/C']);
      day.forEach((f) => checkExecReport(f, 'BRAVO'));
      await a.logout();
      await b.logout();
    } finally {
      await host.dispose();
    }
  }, 120_000);
});
