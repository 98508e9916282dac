import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { checkpointRound, closeForCheckpoints, openForCheckpoints } from '../../../engine/host/checkpoint-maker.ts';
import type { Host } from '../../../engine/host/host.ts';
import { log as logger } from '../../../engine/log.ts';
import { CheckpointWriter } from '../../../engine/store/checkpoints.ts';
import { removeDir, tempDir, waitFor } from '../helpers/backbone.ts';
import { startTestHost, unwrap } from '../helpers/host.ts';
import { JsFixClient, type Received } from './helpers/jsfix-client.ts';

/**
 * Decision 176: a host with a FIX acceptor starts from an in-session
 * checkpoint and the tail, like one without. A FIX client that made orders,
 * replaces and cancels over FIX (ClOrdID chains the checkpoint holds only by
 * seq) and went away owing reports from before and after the checkpoint
 * reconnects to the restarted host: it gets the same messages, with the same
 * MsgSeqNums, as from a host that replayed the session from seq 1 — the owed
 * reports, a cancel naming the order's replaced ClOrdID, a status request
 * naming a cancel's ClOrdID, a new order reusing a ClOrdID (refused as a
 * duplicate).
 */

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

const px = (h: Host, sym: string, f: number) => Number((Math.round((h.view.projection.instrument(sym)!.referencePrice * f) / 0.01) * 0.01).toFixed(2));

/** What a message says, without times and venue-side ids: equal between two hosts on the same log. */
const said = (r: Received): Record<string, unknown> => {
  const b = r.body;
  const pick = ['ClOrdID', 'OrigClOrdID', 'OrderID', 'ExecType', 'OrdStatus', 'CumQty', 'LeavesQty', 'OrdRejReason', 'CxlRejReason', 'Text', 'ExecID'];
  return { seq: r.seq, possDup: r.possDup, type: r.msgType, ...Object.fromEntries(pick.filter((k) => b[k] !== undefined).map((k) => [k, k === 'ExecID' && b['ExecType'] === 'I' ? 'status' : b[k]])) };
};

describe('FIX acceptor: restart from a checkpoint', () => {
  it('a client reconnecting to a host resumed from a checkpoint gets what a host replaying from seq 1 gives it', async () => {
    const dir = tempDir('ordo-fix-ckpt-');
    dirs.push(dir);
    const data = join(dir, 'data');
    const host = await startTestHost({ dataDir: data, fixPort: 0, venueTickMs: 0, checkpointEvery: 0 });
    const port = await host.fix!.whenListening();
    const alpha = () => host.fix!.sessions().find((s) => s.clientId === 'ALPHA')!;
    let k = 0;
    try {
      const c = new JsFixClient({ port, compId: 'ALPHA', storeDir: join(dir, 'alpha') });
      await c.logon();
      const rest = (id: string, qty: number) => ({
        ClOrdID: id, Instrument: { Symbol: 'AAPL' }, Side: '1', OrderQtyData: { OrderQty: qty }, OrdType: '2', Price: px(host, 'AAPL', 0.95), TimeInForce: '0', TransactTime: new Date(),
      });
      // Quantities differ: risk refuses a repeat of the same order within its duplicate window.
      for (const [i, id] of ['rest-1', 'rest-2', 'rest-3'].entries()) {
        c.send('D', rest(id, 100 + i));
        await c.waitReport((r) => r.body['ClOrdID'] === id && r.body['ExecType'] === '0', `${id} new`);
      }
      // Over FIX: rest-1 replaced (its ClOrdID becomes rest-1-r1), rest-2 cancelled under its own ClOrdID.
      c.send('G', { ClOrdID: 'rest-1-r1', OrigClOrdID: 'rest-1', Instrument: { Symbol: 'AAPL' }, Side: '1', OrderQtyData: { OrderQty: 120 }, OrdType: '2', Price: px(host, 'AAPL', 0.95), TransactTime: new Date() });
      await c.waitReport((r) => r.body['ClOrdID'] === 'rest-1-r1' && r.body['ExecType'] === '5', 'rest-1 replaced');
      c.send('F', { ClOrdID: 'rest-2-c', OrigClOrdID: 'rest-2', Instrument: { Symbol: 'AAPL' }, Side: '1', OrderQtyData: { OrderQty: 101 }, TransactTime: new Date() });
      await c.waitReport((r) => r.body['ClOrdID'] === 'rest-2-c' && r.body['ExecType'] === '4', 'rest-2 cancelled');
      c.drop();
      await waitFor(() => !alpha().connected, 'acceptor sees the drop');
      // Away, before the checkpoint: rest-3 replaced from the API (no ClOrdID of the client's): reports owed.
      const rest3 = Number(c.reports('rest-3')[0]!.body['OrderID']);
      unwrap(await host.api.replaceOrder(rest3, { quantity: 90, price: px(host, 'AAPL', 0.95) }));
      await waitFor(() => host.view.projection.order(rest3)?.quantity === 90, 'rest-3 replaced');
      k = host.sequencer.position.seq;
      // After it (the tail): an order of ALPHA's from the API, resting at the venue.
      const away = unwrap(await host.api.submitOrder({ clientId: 'ALPHA', clientOrderId: 'away-1', symbol: 'AAPL', side: 'buy', orderType: 'limit', quantity: 30, price: px(host, 'AAPL', 0.95), timeInForce: 'day' })).orderId;
      await waitFor(() => host.view.projection.order(away)?.state === 'new', 'away-1 at the venue');
    } finally {
      await host.close();
    }

    // One checkpoint, at k (every = k writes only there while the log holds fewer than 2k events).
    const db = openForCheckpoints(join(data, 'ordo.db'));
    try {
      expect(checkpointRound(db, { every: k })?.written).toEqual([k]);
    } finally {
      closeForCheckpoints(db);
    }
    // The same data dir (log, acceptor state, FIX stores) and client store twice: once without checkpoints.
    cpSync(data, join(dir, 'replayed'), { recursive: true });
    cpSync(join(dir, 'alpha'), join(dir, 'alpha-replayed'), { recursive: true });
    const plain = openForCheckpoints(join(dir, 'replayed', 'ordo.db'));
    new CheckpointWriter(plain).clear();
    closeForCheckpoints(plain);

    const session = async (dataDir: string, storeDir: string, resumes: boolean) => {
      const info = vi.spyOn(logger, 'info');
      const h = await startTestHost({ dataDir, fixPort: 0, venueTickMs: 0, checkpointEvery: 0 });
      try {
        const lines = info.mock.calls.map((x) => String(x[0]));
        info.mockRestore();
        expect(lines.includes(`start-up resumes session 1 from its checkpoint at seq ${k}`)).toBe(resumes);
        const c = new JsFixClient({ port: await h.fix!.whenListening(), compId: 'ALPHA', storeDir });
        await c.logon();
        // Owed: rest-3's replace (before the checkpoint: derived from the log) and away-1's reports (the tail).
        await c.waitReport((r) => r.body['ClOrdID'] === 'away-1' && r.body['ExecType'] === '0', 'away-1 at the venue, reported');
        await c.waitReport((r) => r.body['ClOrdID'] === 'rest-3' && r.body['ExecType'] === '5', 'rest-3 replace, reported');
        // The chains: a cancel naming rest-1's replaced ClOrdID, a status request naming rest-2's cancel's ClOrdID.
        c.send('F', { ClOrdID: 'rest-1-c', OrigClOrdID: 'rest-1-r1', Instrument: { Symbol: 'AAPL' }, Side: '1', OrderQtyData: { OrderQty: 120 }, TransactTime: new Date() });
        await c.waitReport((r) => r.body['ClOrdID'] === 'rest-1-c' && r.body['ExecType'] === '4', 'rest-1 cancelled by its replaced ClOrdID');
        c.send('H', { ClOrdID: 'rest-2-c', Instrument: { Symbol: 'AAPL' }, Side: '1' });
        await c.waitReport((r) => r.body['ClOrdID'] === 'rest-2-c' && r.body['ExecType'] === 'I', 'rest-2 status');
        c.send('D', { ClOrdID: 'rest-1', Instrument: { Symbol: 'AAPL' }, Side: '1', OrderQtyData: { OrderQty: 1 }, OrdType: '2', Price: px(h, 'AAPL', 0.95), TimeInForce: '0', TransactTime: new Date() });
        await c.waitReport((r) => r.body['ClOrdID'] === 'rest-1' && r.body['OrdStatus'] === '8', 'reused ClOrdID refused');
        const got = c.received.map(said);
        const info2 = h.fix!.sessions().find((s) => s.clientId === 'ALPHA')!;
        await c.logout();
        return { got, seqs: { in: info2.inSeq, out: info2.outSeq }, stops: c.stops };
      } finally {
        await h.dispose();
      }
    };
    const resumed = await session(data, join(dir, 'alpha'), true);
    const replayed = await session(join(dir, 'replayed'), join(dir, 'alpha-replayed'), false);
    expect(resumed.got).toEqual(replayed.got);
    expect(resumed.seqs).toEqual(replayed.seqs);
    // Exactly what was asked for, nothing resent: the stores' MsgSeqNums carried on across the restart.
    expect(resumed.got.every((r) => !r.possDup)).toBe(true);
    expect(resumed.got.filter((r) => r.ClOrdID === 'rest-1-c').map((r) => `${String(r.OrigClOrdID)} ${String(r.ExecType)}`)).toEqual(['rest-1-r1 6', 'rest-1-r1 4']);
    expect(resumed.got.find((r) => r.ClOrdID === 'rest-2-c')).toMatchObject({ ExecType: 'I', OrdStatus: '4' });
  }, 180_000);
});
