import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir, waitFor } from '../helpers/backbone.ts';
import { startTestHost } from '../helpers/host.ts';
import { JsFixClient, type Received } from './helpers/jsfix-client.ts';

/**
 * The product rule: a FIX client gets exactly one answer (an ExecutionReport:
 * PendingNew, or Rejected) for every NewOrderSingle, whatever the rate. A
 * jspurefix initiator sends 2,000 D's in a burst on one session (real host,
 * real sockets, real SQLite log), a few of them bad (unknown symbol: rejected
 * by the OMS in the log; unsupported Side: rejected by the acceptor before the
 * log), and every ClOrdID must get one first report, no more. A D repeating a
 * used ClOrdID is answered too (a duplicate rejection).
 */

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

const BURST = 2000;

/** Distinct (quantity, price) per order: risk refuses the same order repeated within 2 s (decision 091). */
function newOrder(i: number): Record<string, unknown> {
  const unknownSymbol = i % 250 === 7;
  const badSide = i % 250 === 8;
  return {
    ClOrdID: `burst-${i}`,
    Instrument: { Symbol: unknownSymbol ? 'NOSUCH' : 'AAPL' },
    Side: badSide ? '7' : '1',
    OrderQtyData: { OrderQty: 1 + (Math.floor(i / 500) % 4) },
    OrdType: '2',
    Price: (24_000 - (i % 500)) / 100,
    TimeInForce: '0',
    TransactTime: new Date(),
  };
}

/** An answer to a D: the PendingNew report, or a rejection that was not preceded by one. */
function answers(reports: readonly Received[]): Received[] {
  const pendingNew = reports.filter((r) => r.body['ExecType'] === 'A');
  return pendingNew.length > 0 ? pendingNew : reports.filter((r) => r.body['ExecType'] === '8');
}

describe('FIX acceptor under a burst of NewOrderSingles', () => {
  it('answers each of 2,000 Ds sent in a burst on one session exactly once', async () => {
    const dir = tempDir('ordo-fix-burst-');
    dirs.push(dir);
    const host = await startTestHost({ dataDir: join(dir, 'data'), fixPort: 0 });
    const c = new JsFixClient({ port: await host.fix!.whenListening(), compId: 'ALPHA', storeDir: join(dir, 'client-store') });
    try {
      await c.logon();
      for (let i = 0; i < BURST; i++) {
        c.send('D', newOrder(i));
        // Let the socket move now and then, as a real client's event loop would; reports come back meanwhile.
        if (i % 200 === 199) await new Promise((r) => setImmediate(r));
      }
      const byId = new Map<string, Received[]>();
      const collect = () => {
        byId.clear();
        for (const r of c.received) {
          if (r.msgType !== '8' || r.possDup) continue;
          const id = String(r.body['ClOrdID']);
          let l = byId.get(id);
          if (!l) byId.set(id, (l = []));
          l.push(r);
        }
      };
      // Generous: a loaded CI machine (load 10+) is slow, but every answer must come.
      await waitFor(
        () => {
          collect();
          return byId.size >= BURST && [...byId.values()].every((l) => answers(l).length > 0);
        },
        'an answer to every D of the burst',
        180_000,
      );
      collect();
      const ids = Array.from({ length: BURST }, (_, i) => `burst-${i}`);
      expect(ids.filter((id) => !byId.has(id))).toEqual([]);
      expect([...byId.keys()].filter((id) => !id.startsWith('burst-'))).toEqual([]);
      // Exactly one answer each: never two PendingNews, never two rejections.
      expect(ids.filter((id) => answers(byId.get(id)!).length !== 1)).toEqual([]);
      // The first report of each is the answer (nothing about an order comes before it).
      expect(ids.filter((id) => !['A', '8'].includes(String(byId.get(id)![0]!.body['ExecType'])))).toEqual([]);
      // The bad Side is refused by the acceptor before the log: its one answer is a rejection.
      const badSide = ids.filter((_, i) => i % 250 === 8);
      expect(ids.filter((id) => byId.get(id)![0]!.body['ExecType'] === '8')).toEqual(badSide);
      for (const id of badSide) expect(String(byId.get(id)![0]!.body['Text'])).toMatch(/Side \(54\)/);
      // The unknown symbol is sequenced (PendingNew, its answer), then rejected by the OMS in the log.
      const unknown = ids.filter((_, i) => i % 250 === 7);
      // The rejection follows its PendingNew: wait for it rather than assume it came with the answer.
      await waitFor(() => (collect(), unknown.every((id) => byId.get(id)!.some((r) => r.body['ExecType'] === '8'))), 'the OMS rejections of the unknown symbol', 180_000);
      for (const id of unknown) {
        const types = byId.get(id)!.map((r) => String(r.body['ExecType']));
        expect(types[0]).toBe('A');
        expect(byId.get(id)!.find((r) => r.body['ExecType'] === '8')?.body['Text']).toMatch(/UNKNOWN_INSTRUMENT/);
      }
      // Every order that reached the log is there once, under its ClOrdID; the bad Side never did.
      const p = host.view.projection;
      const logged = ids.map((id) => p.orderIdForClientOrderId('ALPHA', id));
      expect(ids.filter((id, i) => (logged[i] === undefined) !== (i % 250 === 8))).toEqual([]);
      const orderIds = logged.filter((x) => x !== undefined);
      expect(new Set(orderIds).size).toBe(orderIds.length);

      // A new D (not a PossDup resend) under a ClOrdID already used is answered too: one duplicate rejection,
      // and the order that has the ClOrdID is untouched.
      const before = byId.get('burst-3')!.length;
      const order3 = host.view.projection.orderIdForClientOrderId('ALPHA', 'burst-3');
      c.send('D', newOrder(3));
      const dup = await c.waitReport((r) => r.msgType === '8' && r.body['ClOrdID'] === 'burst-3' && r.body['OrderID'] === 'NONE', 'the duplicate D rejected');
      expect(dup.body['ExecType']).toBe('8');
      expect(dup.body['OrdRejReason']).toBe(6);
      expect(String(dup.body['Text'])).toMatch(/DUPLICATE_CLIENT_ORDER_ID/);
      expect(c.reports('burst-3').filter((r) => r.body['OrderID'] === 'NONE')).toHaveLength(1);
      expect(c.reports('burst-3').length).toBeGreaterThan(before);
      expect(host.view.projection.orderIdForClientOrderId('ALPHA', 'burst-3')).toBe(order3);
    } finally {
      await c.logout().catch(() => undefined);
      await host.close();
    }
  }, 300_000);
});
