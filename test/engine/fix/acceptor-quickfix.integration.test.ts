import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir, waitFor } from '../helpers/backbone.ts';
import { startTestHost, unwrap } from '../helpers/host.ts';
import { checkExecReport, checkTrades } from './helpers/fix44.ts';
import { namedFields, quickfixProgram, startQuickFixInitiator, type QuickFixInitiator } from './helpers/quickfix.ts';

/**
 * A QuickFIX C++ initiator (an independent FIX engine; the fixture program
 * in quickfix/initiator.cpp) drives Ordo's FIX acceptor: logon, orders,
 * replace, cancel, cancel reject, the client killed while its order fills,
 * frozen while another fills, restart with its stored sequence numbers
 * (gap → ResendRequest → PossDup resends; owed reports), logout. Every ExecutionReport is checked field by field.
 */

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

const ts = () => new Date().toISOString().replace(/-/g, '').replace('T', '-').replace('Z', '');

/** A BRAVO order entered on the API path (its reports go to BRAVO's FIX session like any other). */
const apiOrder = (clientOrderId: string, quantity: number) =>
  ({ clientId: 'BRAVO', clientOrderId, symbol: 'AAPL', side: 'buy', orderType: 'limit', quantity, price: 240, timeInForce: 'day' }) as const;

/** Each report once (an original and its PossDup resend have the same ExecID), in log order (ExecID = session.seq). */
function byExecId(fs: Record<string, unknown>[]): Record<string, unknown>[] {
  const seen = new Map<string, Record<string, unknown>>();
  for (const f of fs) if (!seen.has(String(f['ExecID']))) seen.set(String(f['ExecID']), f);
  return [...seen.values()].sort((a, b) => Number(String(a['ExecID']).split('.')[1]) - Number(String(b['ExecID']).split('.')[1]));
}

function reports(c: QuickFixInitiator, clOrdId: string): Record<string, unknown>[] {
  return c.app().map(namedFields).filter((f) => (f['MsgType'] === '8' || f['MsgType'] === '9') && f['ClOrdID'] === clOrdId);
}

// A fresh clone has no built initiator: compiling it (g++, slow on a loaded machine) gets its own time, not the test's.
beforeAll(() => quickfixProgram('initiator').then(() => undefined), 300_000);

describe('FIX acceptor driven by a QuickFIX C++ initiator', () => {
  it('orders, replace, cancel, cancel reject, a client crash during fills, restart and resend, logout', async () => {
    const dir = tempDir('ordo-fix-qf-');
    dirs.push(dir);
    const host = await startTestHost({ dataDir: join(dir, 'data'), fixPort: 0 });
    const port = await host.fix!.whenListening();
    let c = await startQuickFixInitiator({ dir: join(dir, 'client'), port, senderCompId: 'BRAVO' });
    try {
      await waitFor(() => c.lines().includes('LOGON'), 'QuickFIX logon', 20_000);

      c.send([[35, 'D'], [11, 'q-buy'], [55, 'AAPL'], [54, 1], [60, ts()], [38, 200], [40, 2], [44, 240], [59, 0]]);
      await waitFor(() => reports(c, 'q-buy').some((f) => f['OrdStatus'] === '2'), 'q-buy filled');
      const buy = reports(c, 'q-buy');
      buy.forEach((f) => checkExecReport(f, 'BRAVO'));
      expect(buy.slice(0, 2).map((f) => `${String(f['ExecType'])}/${String(f['OrdStatus'])}`)).toEqual(['A/A', '0/0']);
      expect(checkTrades(buy).cum).toBe(200);

      c.send([[35, 'D'], [11, 'q-rest'], [55, 'AAPL'], [54, 2], [60, ts()], [38, 100], [40, 2], [44, 245], [59, 0]]);
      await waitFor(() => reports(c, 'q-rest').some((f) => f['ExecType'] === '0'), 'q-rest new');
      c.send([[35, 'G'], [11, 'q-rest2'], [41, 'q-rest'], [55, 'AAPL'], [54, 2], [60, ts()], [38, 80], [40, 2], [44, 246]]);
      await waitFor(() => reports(c, 'q-rest2').some((f) => f['ExecType'] === '5'), 'replaced');
      expect(reports(c, 'q-rest2').find((f) => f['ExecType'] === '5')).toMatchObject({ OrigClOrdID: 'q-rest', OrderQty: 80, Price: 246, LeavesQty: 80, OrdStatus: '0' });
      c.send([[35, 'F'], [11, 'q-rest3'], [41, 'q-rest2'], [55, 'AAPL'], [54, 2], [60, ts()]]);
      await waitFor(() => reports(c, 'q-rest3').some((f) => f['ExecType'] === '4'), 'cancelled');
      reports(c, 'q-rest3').forEach((f) => checkExecReport(f, 'BRAVO'));
      c.send([[35, 'F'], [11, 'q-rest4'], [41, 'q-rest3'], [55, 'AAPL'], [54, 2], [60, ts()]]);
      await waitFor(() => reports(c, 'q-rest4').some((f) => f['MsgType'] === '9'), 'cancel reject');
      expect(reports(c, 'q-rest4')[0]).toMatchObject({ MsgType: '9', OrigClOrdID: 'q-rest3', OrdStatus: '4', CxlRejReason: 0, CxlRejResponseTo: '1' });

      // A crash during fills, restart and resend. (1) The client sends a big marketable order and is killed
      // once it is in the log, so its reports go out while it dies. (2) Deterministically: before the kill it is
      // frozen (SIGSTOP) while another BRAVO order (entered on the API path) fills, so Ordo writes those reports
      // into a socket whose reader never processes them. The restarted client (same file store, so its stored
      // sequence numbers) is owed nothing new: everything it lacks must come from the resend (ResendRequest →
      // PossDupFlag=Y). (3) Killed again, a third order fills while it is gone: the next restart gets those
      // reports as owed ones.
      const first = c;
      c.send([[35, 'D'], [11, 'q-big'], [55, 'AAPL'], [54, 1], [60, ts()], [38, 600], [40, 2], [44, 240], [59, 0]]);
      await waitFor(() => host.view.projection.orderIdForClientOrderId('BRAVO', 'q-big') !== undefined, 'q-big in the log');
      await c.freeze();
      const big = host.view.projection.orderIdForClientOrderId('BRAVO', 'q-big')!;
      const frozen = unwrap(await host.api.submitOrder(apiOrder('q-frozen', 300)));
      const bravo = () => host.fix!.sessions().find((s) => s.clientId === 'BRAVO')!;
      await waitFor(() => [big, frozen.orderId].every((id) => host.view.projection.order(id)!.state === 'filled') && bravo().owed === 0, 'q-big and q-frozen filled, reports written');
      // Still connected: the frozen order's reports went into the frozen client's socket, not into the owed queue.
      expect(bravo().connected).toBe(true);
      await c.kill();
      await waitFor(() => !bravo().connected, 'acceptor sees the crash');
      expect(bravo().owed).toBe(0);
      const second = (c = await startQuickFixInitiator({ dir: join(dir, 'client'), port, senderCompId: 'BRAVO' }));
      await waitFor(() => reports(c, 'q-frozen').some((f) => f['OrdStatus'] === '2'), 'q-frozen resent after restart', 60_000);
      await waitFor(() => [...reports(first, 'q-big'), ...reports(c, 'q-big')].some((f) => f['OrdStatus'] === '2'), 'q-big filled, seen by one of the two');
      expect(reports(first, 'q-frozen')).toHaveLength(0);
      const resent = reports(c, 'q-frozen');
      expect(resent.length).toBeGreaterThan(2);
      expect(resent.every((f) => f['PossDupFlag'] === 'Y')).toBe(true);

      await c.kill();
      await waitFor(() => !bravo().connected, 'acceptor sees the second crash');
      const owed = unwrap(await host.api.submitOrder(apiOrder('q-owed', 250)));
      await waitFor(() => host.view.projection.order(owed.orderId)!.state === 'filled' && bravo().owed > 0, 'q-owed filled while the client is gone');
      c = await startQuickFixInitiator({ dir: join(dir, 'client'), port, senderCompId: 'BRAVO' });
      await waitFor(() => reports(c, 'q-owed').some((f) => f['OrdStatus'] === '2') && bravo().owed === 0, 'owed reports after restart', 60_000);

      // Nothing is sent twice as new: a non-PossDup report is never one an earlier process already had.
      const seen = new Set<unknown>();
      for (const proc of [first, second, c]) {
        const fs = proc.app().map(namedFields).filter((f) => f['MsgType'] === '8');
        for (const f of fs) if (f['PossDupFlag'] !== 'Y') expect(seen.has(f['ExecID']), `ExecID ${String(f['ExecID'])} sent twice`).toBe(false);
        fs.forEach((f) => seen.add(f['ExecID']));
      }
      for (const [clOrdId, qty, orderId] of [['q-big', 600, big], ['q-frozen', 300, frozen.orderId], ['q-owed', 250, owed.orderId]] as const) {
        const all = byExecId([first, second, c].flatMap((proc) => reports(proc, clOrdId)));
        all.forEach((f) => checkExecReport(f, 'BRAVO'));
        expect(all.slice(0, 2).map((f) => `${String(f['ExecType'])}/${String(f['OrdStatus'])}`)).toEqual(['A/A', '0/0']);
        const t = checkTrades(all);
        expect(t.cum, clOrdId).toBe(qty);
        expect(t.avg).toBeCloseTo(host.view.projection.order(orderId)!.avgPrice, 6);
      }

      c.logout();
      await waitFor(() => c.lines().includes('LOGOUT'), 'QuickFIX logout');
      await waitFor(() => !host.fix!.sessions().find((s) => s.clientId === 'BRAVO')!.connected, 'session closed');
    } finally {
      await c.stop();
      await host.dispose();
    }
  }, 120_000);
});
