import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkpointRound, closeForCheckpoints, openForCheckpoints } from '../../../engine/host/checkpoint-maker.ts';
import type { Host } from '../../../engine/host/host.ts';
import { removeDir, tempDir, waitFor } from '../helpers/backbone.ts';
import { startTestHost } from '../helpers/host.ts';
import { JsFixClient } from './helpers/jsfix-client.ts';

/**
 * Decision 208: a host resumed from a checkpoint indexes the resumed orders'
 * ClOrdIDs in slices after start-up, and FIX messages that come meanwhile
 * wait for the index, in the order they came. Here the index is held at its
 * first slice (the host's `fixIndexTurn`, a gate this test opens) while a
 * client sends a new order, a new order reusing a resumed ClOrdID, a cancel
 * naming a resumed order by its ClOrdID, and another new order. Before the
 * gate opens none of them is answered or sequenced; after it, each new order
 * is sequenced once, in the order sent, the reuse is refused as a duplicate
 * (not a second order) and the cancel finds the resumed order — which
 * neither could with the index still empty.
 */

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

const px = (h: Host, sym: string, f: number) => Number((Math.round((h.view.projection.instrument(sym)!.referencePrice * f) / 0.01) * 0.01).toFixed(2));
const order = (h: Host, id: string, qty: number) => ({
  ClOrdID: id, Instrument: { Symbol: 'AAPL' }, Side: '1', OrderQtyData: { OrderQty: qty }, OrdType: '2', Price: px(h, 'AAPL', 0.95), TimeInForce: '0', TransactTime: new Date(),
});
const ordersWith = (h: Host, clientOrderId: string) => [...h.view.projection.orders()].filter((o) => o.clientId === 'ALPHA' && o.clientOrderId === clientOrderId);

describe('FIX acceptor: messages while the resumed ClOrdID index is built', () => {
  it('wait for the index, then are taken once each and in the order they came', async () => {
    const dir = tempDir('ordo-fix-index-');
    dirs.push(dir);
    const data = join(dir, 'data');
    const store = join(dir, 'alpha');
    let k = 0;
    const first = await startTestHost({ dataDir: data, fixPort: 0, venueTickMs: 0, checkpointEvery: 0 });
    try {
      const c = new JsFixClient({ port: await first.fix!.whenListening(), compId: 'ALPHA', storeDir: store });
      await c.logon();
      // Resting orders (limit below the market): the resumed session holds them working.
      for (const [i, id] of ['old-1', 'old-2'].entries()) {
        c.send('D', order(first, id, 100 + i));
        await c.waitReport((r) => r.body['ClOrdID'] === id && r.body['ExecType'] === '0', `${id} new`);
      }
      await c.logout();
      k = first.sequencer.position.seq;
    } finally {
      await first.close();
    }
    // A checkpoint at the last seq: the next start resumes from it, so the acceptor builds its index in slices.
    const db = openForCheckpoints(join(data, 'ordo.db'));
    try {
      expect(checkpointRound(db, { every: k })?.written).toEqual([k]);
    } finally {
      closeForCheckpoints(db);
    }

    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    let waits = 0;
    const h = await startTestHost({
      dataDir: data, fixPort: 0, venueTickMs: 0, checkpointEvery: 0,
      fixIndexTurn: () => {
        waits++;
        return gate;
      },
    });
    try {
      // The index waits before its first slice: nothing of the resumed orders is indexed yet.
      expect(waits).toBe(1);
      const orderCount = h.view.projection.orderCount;
      const old1 = ordersWith(h, 'old-1')[0]!;
      expect(old1.state).toBe('new');
      const c = new JsFixClient({ port: await h.fix!.whenListening(), compId: 'ALPHA', storeDir: store });
      await c.logon();
      const alpha = () => h.fix!.sessions().find((s) => s.clientId === 'ALPHA')!;
      const inBefore = alpha().inSeq;
      // Reports owed from before the restart (old-1's and old-2's New) may come after logon: they name the resumed
      // orders; an answer to what is sent below is a report of a new ClOrdID, or a refusal (OrdStatus 8) of old-2.
      const old2 = ordersWith(h, 'old-2')[0]!.orderId;
      const mark = c.received.length;
      const since = (id: string) =>
        c.received.slice(mark).filter((r) => (r.msgType === '8' || r.msgType === '9') && r.body['ClOrdID'] === id && !(id === 'old-2' && r.body['OrdStatus'] === '0' && Number(r.body['OrderID']) === old2));
      c.send('D', order(h, 'new-1', 10));
      // Reuses a resumed order's ClOrdID: the acceptor's own duplicate answer (OrdRejReason 6) comes from its index;
      // with the index empty the D would reach the client proxy and come back refused for another reason (99).
      c.send('D', order(h, 'old-2', 11));
      // Names a resumed order by its ClOrdID only (the index finds it).
      c.send('F', { ClOrdID: 'old-1-c', OrigClOrdID: 'old-1', Instrument: { Symbol: 'AAPL' }, Side: '1', OrderQtyData: { OrderQty: 100 }, TransactTime: new Date() });
      c.send('D', order(h, 'new-2', 12));
      // All four received by the acceptor's session, then a few turns of the loop for anything they started.
      await waitFor(() => alpha().inSeq >= inBefore + 4, 'the four messages received');
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
      // Held: no answer to any of them, nothing sequenced.
      for (const id of ['new-1', 'old-2', 'old-1-c', 'new-2']) expect(since(id), id).toEqual([]);
      expect(h.view.projection.orderCount).toBe(orderCount);
      expect(h.view.projection.order(old1.orderId)?.state).toBe('new');
      expect(waits).toBe(1);

      open();
      const new1 = await c.waitReport((r) => r.body['ClOrdID'] === 'new-1' && r.body['ExecType'] === '0', 'new-1 new');
      const new2 = await c.waitReport((r) => r.body['ClOrdID'] === 'new-2' && r.body['ExecType'] === '0', 'new-2 new');
      const reuse = await c.waitReport((r) => r.body['ClOrdID'] === 'old-2' && r.body['OrdStatus'] === '8', 'old-2 reuse refused');
      expect(reuse.body['OrdRejReason']).toBe(6);
      expect(reuse.body['OrderID']).toBe('NONE');
      await c.waitReport((r) => r.body['ClOrdID'] === 'old-1-c' && r.body['ExecType'] === '4', 'old-1 cancelled by its ClOrdID');
      expect(h.view.projection.order(old1.orderId)?.state).toBe('cancelled');

      // Each new order once, in the order sent: new-1's order id below new-2's, and no other order sequenced.
      const [o1, o2] = [ordersWith(h, 'new-1'), ordersWith(h, 'new-2')];
      expect(o1.length).toBe(1);
      expect(o2.length).toBe(1);
      expect(o1[0]!.orderId).toBeLessThan(o2[0]!.orderId);
      expect(Number(new1.body['OrderID'])).toBe(o1[0]!.orderId);
      expect(Number(new2.body['OrderID'])).toBe(o2[0]!.orderId);
      expect(h.view.projection.orderCount).toBe(orderCount + 2);
      expect(ordersWith(h, 'old-2').length).toBe(1);
      // The refusal answers the reuse and nothing more (no report of another order under old-2).
      expect(since('old-2').map((r) => r.body['OrdStatus'])).toEqual(['8']);
      await c.logout();
    } finally {
      open();
      await h.dispose();
    }
  }, 120_000);
});
