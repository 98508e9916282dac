import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { warmOrderPath } from '../../engine/host/warm-up.ts';
import { openReadableLog } from '../../engine/store/log.ts';
import { order, startTestHost, unwrap, waitOrder } from './helpers/host.ts';

const warmDirs = () => readdirSync(tmpdir()).filter((n) => n.startsWith('ordo-warm-up-')).length;

/**
 * What the order path's warm-up (decision 291) must not do to a host already running in the same process: it runs a
 * scratch engine of its own, so no event reaches this host's log, its projection's state is the same, and its venue
 * (on its thread here, so the test can read it) is sent nothing.
 */
describe('the order path warm-up (decision 291)', () => {
  let host: Awaited<ReturnType<typeof startTestHost>>;
  beforeAll(async () => {
    host = await startTestHost({ venueIn: 'host', venueTickMs: 0, staleMs: 60_000 });
    // A session with orders of its own, so the state compared is not empty.
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push(unwrap(await host.api.submitOrder(order('AAPL', i % 2 ? 'sell' : 'buy', 10, 200 + i, i % 2 ? { locate: true } : {}))).orderId);
    // Settled: each order acknowledged by the venue (or done), so the log does not move on its own during the test.
    for (const id of ids) await waitOrder(host, id, (o) => o.state !== 'pending_new', 'venue answer');
    const at = host.sequencer.position.seq;
    await new Promise((r) => setTimeout(r, 300));
    expect(host.sequencer.position.seq).toBe(at);
  }, 60_000);
  afterAll(async () => host?.dispose());

  it('takes its orders through a scratch session and leaves the real log, state and venue as they were, and no folder behind', async () => {
    const before = {
      position: { ...host.sequencer.position },
      hash: host.view.projection.stateHash(),
      venue: host.localVenue!.stats(),
    };
    const log = openReadableLog(join(host.dir, 'ordo.db'));
    const logSeq = log.lastSeq(before.position.session);
    const dirs = warmDirs();

    const r = await warmOrderPath({ orders: 300, maxMs: 60_000 });

    // It did its work: every order sent was taken by its own session.
    expect(r.sent).toBe(300);
    expect(r.answered).toBe(300);
    // Nothing of it in this host.
    expect(host.sequencer.position).toEqual(before.position);
    expect(log.lastSeq(before.position.session)).toBe(logSeq);
    log.close();
    expect(host.view.projection.stateHash()).toBe(before.hash);
    const venue = host.localVenue!.stats();
    expect({ requests: venue.requests, replies: venue.replies, knownOrders: venue.knownOrders }).toEqual({ requests: before.venue.requests, replies: before.venue.replies, knownOrders: before.venue.knownOrders });
    expect(warmDirs()).toBe(dirs);
    // The host still takes orders after it.
    expect(unwrap(await host.api.submitOrder(order('MSFT', 'buy', 1, 400))).orderId).toBeGreaterThan(0);
  }, 120_000);
});
