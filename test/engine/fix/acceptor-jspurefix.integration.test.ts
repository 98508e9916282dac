import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Host } from '../../../engine/host/host.ts';
import { removeDir, tempDir, waitFor } from '../helpers/backbone.ts';
import { startTestHost, unwrap } from '../helpers/host.ts';
import { ImpliedNews } from '../helpers/implied-new.ts';
import { checkExecReport, checkTrades, flat, type Fields } from './helpers/fix44.ts';
import { JsFixClient } from './helpers/jsfix-client.ts';

/**
 * A jspurefix FIX 4.4 initiator drives Ordo's FIX acceptor end to end (real
 * host: sequencer, SQLite log, ZeroMQ, simulated venue): orders, replace,
 * cancel, cancel rejects, a link drop while fills happen, reconnect and
 * resend, a host restart, logout. Every ExecutionReport is checked field by
 * field, and against the log.
 */

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

const newOrder = (clOrdId: string, qty: number, price: number, side = '1') => ({
  ClOrdID: clOrdId,
  Instrument: { Symbol: 'AAPL' },
  Side: side,
  OrderQtyData: { OrderQty: qty },
  OrdType: '2',
  Price: price,
  TimeInForce: '0',
  TransactTime: new Date(),
});

function reportsOf(c: JsFixClient, clOrdId: string): Fields[] {
  return c.reports(clOrdId).map((r) => flat(r.body));
}

function execIds(c: JsFixClient): string[] {
  return c.received.filter((r) => r.msgType === '8' && !r.possDup && r.body['ExecType'] !== 'I').map((r) => String(r.body['ExecID']));
}

/** Every order event of ALPHA in the log that Ordo maps to a report, as `<session>.<seq>` ExecIDs. */
async function loggedExecIds(host: Host, fromSeq: number): Promise<string[]> {
  const reportable = new Set(['OrderPending', 'OrderAcknowledged', 'OrderRejected', 'VenueRejected', 'OrderExecuted', 'CancelRequested', 'OrderCancelled', 'ReplaceRequested', 'OrderReplaced', 'OrderExpired']);
  const pos = host.sequencer.position;
  const lines = unwrap(await host.api.getEvents({ session: pos.session, from: fromSeq, to: pos.seq }));
  const alpha = new Set<number>();
  const out: string[] = [];
  const implied = new ImpliedNews();
  for (const l of lines) {
    const ev = l as { type: string; orderId?: number; clientId?: string };
    if (ev.type === 'OrderPending' && ev.clientId === 'ALPHA') alpha.add(ev.orderId!);
    const newId = implied.before(pos.session, l.seq, ev);
    if (ev.orderId !== undefined && alpha.has(ev.orderId) && newId !== undefined) out.push(newId);
    if (ev.orderId !== undefined && alpha.has(ev.orderId) && reportable.has(ev.type)) out.push(`${pos.session}.${l.seq}`);
  }
  return out;
}

describe('FIX acceptor driven by a jspurefix initiator', () => {
  it('orders, fills, replace, cancel, cancel rejects, status, unsupported messages, link drop during fills, resend, host restart, logout', async () => {
    const dir = tempDir('ordo-fix-');
    dirs.push(dir);
    let host = await startTestHost({ dataDir: join(dir, 'data'), fixPort: 0 });
    let port = await host.fix!.whenListening();
    const storeDir = join(dir, 'client-store');
    const firstSeq = host.sequencer.position.seq + 1;
    let c = new JsFixClient({ port, compId: 'ALPHA', storeDir });
    const clients = [c];
    await c.logon();

    // 1. A marketable buy fills (in several trades against the market maker's levels).
    c.send('D', newOrder('buy-1', 500, 240));
    await c.waitReport((r) => r.body['ClOrdID'] === 'buy-1' && r.body['OrdStatus'] === '2', 'buy-1 filled');
    const buy = reportsOf(c, 'buy-1');
    buy.forEach((f) => checkExecReport(f, 'ALPHA'));
    expect(buy.map((f) => `${String(f['ExecType'])}/${String(f['OrdStatus'])}`).slice(0, 2)).toEqual(['A/A', '0/0']);
    expect(buy.every((f) => f['OrderID'] === buy[0]!['OrderID'] && f['Symbol'] === 'AAPL' && f['Side'] === '1' && f['OrdType'] === '2' && f['Price'] === 240 && f['TimeInForce'] === '0')).toBe(true);
    const t = checkTrades(buy);
    expect(t.cum).toBe(500);
    const o1 = host.view.projection.order(Number(buy[0]!['OrderID']))!;
    expect(o1.filledQuantity).toBe(500);
    expect(t.avg).toBeCloseTo(o1.avgPrice, 6);

    // 2. A resting buy is replaced (new ClOrdID chain), then cancelled through the replaced ClOrdID.
    c.send('D', newOrder('rest-1', 100, 210));
    await c.waitReport((r) => r.body['ClOrdID'] === 'rest-1' && r.body['ExecType'] === '0', 'rest-1 new');
    c.send('G', { ClOrdID: 'rest-2', OrigClOrdID: 'rest-1', Instrument: { Symbol: 'AAPL' }, Side: '1', OrderQtyData: { OrderQty: 150 }, OrdType: '2', Price: 211, TransactTime: new Date() });
    const replaced = flat((await c.waitReport((r) => r.body['ClOrdID'] === 'rest-2' && r.body['ExecType'] === '5', 'replaced')).body);
    checkExecReport(replaced, 'ALPHA');
    expect(replaced).toMatchObject({ OrigClOrdID: 'rest-1', OrdStatus: '0', OrderQty: 150, Price: 211, LeavesQty: 150, CumQty: 0 });
    const pendingReplace = reportsOf(c, 'rest-2').find((f) => f['ExecType'] === 'E')!;
    expect(pendingReplace).toMatchObject({ OrdStatus: 'E', OrigClOrdID: 'rest-1' });
    c.send('F', { ClOrdID: 'rest-3', OrigClOrdID: 'rest-2', Instrument: { Symbol: 'AAPL' }, Side: '1', OrderQtyData: { OrderQty: 150 }, TransactTime: new Date() });
    const cancelled = flat((await c.waitReport((r) => r.body['ClOrdID'] === 'rest-3' && r.body['ExecType'] === '4', 'cancelled')).body);
    checkExecReport(cancelled, 'ALPHA');
    expect(cancelled).toMatchObject({ OrigClOrdID: 'rest-2', OrdStatus: '4', LeavesQty: 0, CumQty: 0 });
    expect(reportsOf(c, 'rest-3').find((f) => f['ExecType'] === '6')).toMatchObject({ OrdStatus: '6', OrigClOrdID: 'rest-2' });

    // 3. Cancel rejects: a cancel of a cancelled order (too late), of an unknown ClOrdID.
    c.send('F', { ClOrdID: 'rest-4', OrigClOrdID: 'rest-3', Instrument: { Symbol: 'AAPL' }, Side: '1', TransactTime: new Date() });
    c.send('F', { ClOrdID: 'x-1', OrigClOrdID: 'no-such', Instrument: { Symbol: 'AAPL' }, Side: '1', TransactTime: new Date() });
    const tooLate = flat((await c.waitReport((r) => r.msgType === '9' && r.body['ClOrdID'] === 'rest-4', 'cancel reject')).body);
    expect(tooLate).toMatchObject({ OrigClOrdID: 'rest-3', OrdStatus: '4', CxlRejResponseTo: '1', CxlRejReason: 0, OrderID: cancelled['OrderID'] });
    expect(String(tooLate['Text'])).toMatch(/ORDER_TERMINAL/);
    const unknown = flat((await c.waitReport((r) => r.msgType === '9' && r.body['ClOrdID'] === 'x-1', 'unknown reject')).body);
    expect(unknown).toMatchObject({ OrigClOrdID: 'no-such', CxlRejReason: 1, OrderID: 'NONE' });

    // 4. Order status (ExecType I) and an unsupported message (BusinessMessageReject).
    c.send('H', { ClOrdID: 'buy-1', Instrument: { Symbol: 'AAPL' }, Side: '1' });
    const status = flat((await c.waitReport((r) => r.msgType === '8' && r.body['ExecType'] === 'I', 'status')).body);
    expect(status).toMatchObject({ ClOrdID: 'buy-1', OrdStatus: '2', CumQty: 500, LeavesQty: 0, OrderID: buy[0]!['OrderID'] });
    c.send('AF', { MassStatusReqID: 'm1', MassStatusReqType: 7 });
    const bmr = flat((await c.waitReport((r) => r.msgType === 'j', 'business reject')).body);
    expect(bmr).toMatchObject({ RefMsgType: 'AF', BusinessRejectReason: 3 });

    // 5. The link drops; meanwhile ALPHA's orders (entered on the UI path) trade. On reconnect the
    //    client gets exactly the reports it missed, in order, and asks for a resend of what it had.
    await waitFor(() => execIds(c).length === new Set(execIds(c)).size, 'no duplicate');
    c.drop();
    await waitFor(() => !host.fix!.sessions().find((s) => s.clientId === 'ALPHA')!.connected, 'acceptor sees the drop');
    const missed = unwrap(await host.api.submitOrder({ clientId: 'ALPHA', clientOrderId: 'ui-1', symbol: 'AAPL', side: 'buy', orderType: 'limit', quantity: 300, price: 240, timeInForce: 'day' }));
    await waitFor(() => host.view.projection.order(missed.orderId)?.state === 'filled', 'ui-1 filled');
    expect(host.fix!.sessions().find((s) => s.clientId === 'ALPHA')!.owed).toBeGreaterThan(2);
    const beforeDrop = c.received.length;
    c = new JsFixClient({ port, compId: 'ALPHA', storeDir });
    clients.push(c);
    await c.logon();
    await c.waitReport((r) => r.body['ClOrdID'] === 'ui-1' && r.body['OrdStatus'] === '2', 'missed reports delivered');
    const ui = reportsOf(c, 'ui-1');
    ui.forEach((f) => checkExecReport(f, 'ALPHA'));
    expect(ui[0]).toMatchObject({ ExecType: 'A', OrdStatus: 'A' });
    expect(checkTrades(ui).cum).toBe(300);
    expect(beforeDrop).toBeGreaterThan(0);
    const firstNewSeq = c.received[0]!.seq;
    c.askResend(1);
    await waitFor(() => c.received.filter((r) => r.possDup).length >= 5, 'resent messages');
    const resent = c.received.filter((r) => r.possDup && r.msgType === '8');
    // A resent message is the original: same seq, same ExecID (checked for those this connection saw first-hand).
    const originals = new Map(c.received.filter((r) => !r.possDup && r.msgType === '8').map((r) => [r.seq, r.body['ExecID']]));
    for (const r of resent) if (r.seq >= firstNewSeq) expect(r.body['ExecID']).toBe(originals.get(r.seq));
    expect(resent.some((r) => r.seq < firstNewSeq)).toBe(true);
    expect(resent.map((r) => r.body['ExecID'])).toContain(buy[0]!['ExecID']);

    // 6. The host restarts: sequence numbers go on, nothing is sent twice, new orders work.
    await c.logout();
    const outSeqBefore = c.received.at(-1)!.seq;
    await host.close();
    host = Object.assign(await startTestHost({ dataDir: join(dir, 'data'), fixPort: 0 }), {});
    port = await host.fix!.whenListening();
    c = new JsFixClient({ port, compId: 'ALPHA', storeDir });
    clients.push(c);
    await c.logon();
    c.send('D', newOrder('after-restart', 50, 240));
    await c.waitReport((r) => r.body['ClOrdID'] === 'after-restart' && r.body['OrdStatus'] === '2', 'after restart filled');
    expect(c.received[0]!.seq).toBeGreaterThan(outSeqBefore);
    expect(c.reports('buy-1')).toHaveLength(0);
    reportsOf(c, 'after-restart').forEach((f) => checkExecReport(f, 'ALPHA'));

    // Every reportable ALPHA event of the log was reported exactly once, over the three connections.
    await waitFor(() => host.fix!.sessions().find((x) => x.clientId === 'ALPHA')!.owed === 0, 'nothing owed');
    const sent = clients.flatMap(execIds).filter((id) => !id.startsWith('S') && !id.startsWith('R'));
    expect(new Set(sent).size).toBe(sent.length);
    expect(sent).toEqual(await loggedExecIds(host, firstSeq));
    await c.logout();
    expect(c.stops.at(-1)).toBe('logout');
    await host.dispose();
  }, 120_000);
});
