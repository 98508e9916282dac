import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startHost, type Host } from '../../engine/host/host.ts';
import type { WritableLog } from '../../engine/store/log.ts';
import { Api } from './helpers/http.ts';
import { auditLog, ofType } from './helpers/log-checks.ts';
import { cleanupAll, tempDir, until } from './helpers/procs.ts';

let host: Host | undefined;
afterEach(async () => {
  await host?.close();
  host = undefined;
  await cleanupAll();
});

describe('a close that starts while storage fails (decision 145)', () => {
  // A full disk fails only when a page is needed: a close's small SessionClosing frame may fit while the venue's
  // reports after it cannot be stored. Reproduced deterministically: every frame after the one that holds
  // SessionClosing fails as a full disk does, until the fault is switched off.
  it('answers 503 naming the closing session and what to do; takes no orders; completes once storage is back', async () => {
    const dataDir = join(tempDir(), 'data');
    let failing = false;
    let armed = false;
    host = await startHost({
      dataDir,
      port: 0,
      venueTickMs: 0,
      onLogOpened: (log: WritableLog) => {
        const append = log.appendFrame.bind(log);
        log.appendFrame = (session, firstSeq, lastSeq, bytes) => {
          if (failing) throw new Error('database or disk is full');
          append(session, firstSeq, lastSeq, bytes);
          // The sequencer is closing once it emitted SessionClosing: this frame holds it, the next ones fail.
          if (armed && host?.sequencer.position.phase === 'closing') failing = true;
        };
      },
    });
    const h = host;
    const api = new Api(h.port, h.token);
    // Day orders resting at the venue, 3% under the reference: the close must wait for the venue to end them.
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await api.call('POST', '/api/orders', { clientId: 'ALPHA', clientOrderId: `rest-${i}`, symbol: 'AAPL', side: 'buy', orderType: 'limit', quantity: 1 + i, price: 221.6, timeInForce: 'day' });
      expect(r.status, r.text).toBe(200);
      ids.push((r.json as { orderId: number }).orderId);
    }
    await until(() => ids.every((id) => h.view.projection.order(id)?.state === 'new'), 'the day orders to rest at the venue', 20_000);

    armed = true;
    const close = await api.call('POST', '/api/session/close', undefined, 60_000);
    expect(close.status, close.text).toBe(503);
    const error = (close.json as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('STORAGE_UNAVAILABLE');
    expect(error.message).toMatch(/^session 1 is closing and takes no new orders, but its close cannot be stored \(.*disk is full.*\); free space/);
    expect(failing).toBe(true);
    expect(h.sequencer.position.phase).toBe('closing');
    // In the log: SessionClosing, no snapshot, no SessionClosed.
    const during = auditLog(dataDir);
    expect(during.problems).toEqual([]);
    expect(during.sessions[0]!.state).toBe('open');
    expect(ofType(during.events.get(1)!, 'SessionClosing')).toHaveLength(1);
    expect(ofType(during.events.get(1)!, 'SessionClosed')).toHaveLength(0);
    expect(during.snapshots).toBe(0);
    // A trader is told the session is closing, not that the order was lost.
    const order = await api.call('POST', '/api/orders', { clientId: 'ALPHA', clientOrderId: 'late', symbol: 'AAPL', side: 'buy', orderType: 'limit', quantity: 1, price: 221.6, timeInForce: 'day' });
    expect(order.status).toBe(409);
    expect((order.json as { error: { code: string } }).error.code).toBe('SESSION_CLOSING');

    // Space is back: the venue's reports, resent by the gateway, are stored and the close completes by itself.
    failing = false;
    armed = false;
    await until(() => h.sequencer.position.phase === 'closed', 'the close to complete by itself once storage is back', 30_000);
    const end = auditLog(dataDir);
    expect(end.problems).toEqual([]);
    expect(end.seqGaps).toEqual([]);
    expect(end.sessions[0]!.state).toBe('closed');
    expect(end.snapshots).toBe(1);
    // Each resting day order ended in the log, once.
    const events = end.events.get(1)!;
    const ended = [...ofType(events, 'OrderCancelled'), ...ofType(events, 'OrderExpired')].map((e) => e.event.orderId);
    expect([...ended].sort((a, b) => a - b)).toEqual(ids);
    // A close asked again now is answered for the closed session as usual.
    const again = await api.call('POST', '/api/session/close');
    expect(again.status).toBe(409);
  }, 90_000);
});
