import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir, waitFor } from '../helpers/backbone.ts';
import { startTestHost, unwrap } from '../helpers/host.ts';
import { JsFixClient } from './helpers/jsfix-client.ts';

/**
 * A FIX client's OrderCancelRequest between an explicit close and the next
 * open (decision 130): not rejected; stored, and when the session opens the
 * client gets PendingCancel then Canceled under the cancel's ClOrdID, and the
 * order never reaches the venue again.
 */

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

describe('FIX acceptor: a cancel between sessions', () => {
  it('is taken (no OrderCancelReject) and reported as PendingCancel + Canceled when the next session opens', async () => {
    const dir = tempDir('ordo-fix-parked-');
    dirs.push(dir);
    const host = await startTestHost({ dataDir: join(dir, 'data'), fixPort: 0, venueIn: 'host' });
    const port = await host.fix!.whenListening();
    try {
      // Far below the market: the market maker never fills it.
      const price = Number((Math.round((host.view.projection.instrument('AAPL')!.referencePrice * 0.93) / 0.01) * 0.01).toFixed(2));
      const c = new JsFixClient({ port, compId: 'ALPHA', storeDir: join(dir, 'client') });
      await c.logon();
      c.send('D', { ClOrdID: 'p-gtc', Instrument: { Symbol: 'AAPL' }, Side: '1', OrderQtyData: { OrderQty: 30 }, OrdType: '2', Price: price, TimeInForce: '1', TransactTime: new Date() });
      const ack = await c.waitReport((r) => r.body['ClOrdID'] === 'p-gtc' && r.body['ExecType'] === '0', 'p-gtc new');
      const orderId = Number(ack.body['OrderID']);
      const closed = unwrap(await host.api.closeSession()).sessionId;
      await waitFor(() => host.view.projection.session.state === 'closed' && host.fix!.sessions().length > 0, 'closed');

      c.send('F', { ClOrdID: 'p-cxl', OrigClOrdID: 'p-gtc', Instrument: { Symbol: 'AAPL' }, Side: '1', OrderQtyData: { OrderQty: 30 }, TransactTime: new Date() });
      await waitFor(() => host.sequencer.deferredAfter(closed).length === 1, 'the cancel stored for the open');
      unwrap(await host.api.openSession());
      const done = await c.waitReport((r) => r.body['ClOrdID'] === 'p-cxl' && r.body['ExecType'] === '4', 'Canceled report');
      expect(done.body).toMatchObject({ OrderID: String(orderId), OrigClOrdID: 'p-gtc', OrdStatus: '4' });
      expect(c.received.some((r) => r.body['ClOrdID'] === 'p-cxl' && r.body['ExecType'] === '6')).toBe(true);
      // No reject for it, ever; and the venue never got the order back.
      expect(c.received.filter((r) => r.msgType === '9')).toEqual([]);
      expect(host.localVenue!.exchange.isLive(orderId)).toBe(false);
      await c.logout();
    } finally {
      await host.dispose();
    }
  }, 120_000);
});
