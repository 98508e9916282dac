import { afterEach, describe, expect, it } from 'vitest';
import type { Host } from '../../engine/host/host.ts';
import { OmsProjection } from '../../engine/oms/projection.ts';
import { takeSnapshot } from '../../engine/oms/snapshot.ts';
import { RiskState } from '../../engine/oms/exposure/risk-state.ts';
import { takeRiskSnapshot } from '../../engine/oms/exposure/snapshot.ts';
import { openReadableLog } from '../../engine/store/log.ts';
import { http, order, startTestHost, waitFor, waitOrder, type ApiBody } from './helpers/host.ts';

const hosts: (Host & { dispose(): Promise<void> })[] = [];
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.dispose();
});

const px = (h: Host, sym: string, f: number) => Number((Math.round((h.view.projection.instrument(sym)!.referencePrice * f) / 0.01) * 0.01).toFixed(2));

interface Sent {
  readonly kind: 'order' | 'cancel' | 'replace';
  readonly clientOrderId?: string;
  readonly status: number;
  readonly body: ApiBody;
}

describe('zero-downtime session roll', () => {
  it('rolls twice under a steady 200 orders/s: nothing refused, every order once, gtc carried and still cancellable, replays equal the live state', async () => {
    const h = await startTestHost({ venueIn: 'host' });
    hosts.push(h);
    // Resting orders from before the rolls: gtc ones must be carried (live at the venue), day ones expired at the venue.
    const gtcBefore: number[] = [];
    const dayBefore: number[] = [];
    for (let i = 0; i < 5; i++) {
      const g = await http(h, 'POST', '/api/orders', order('MSFT', 'buy', 10 + i, px(h, 'MSFT', 0.95), { timeInForce: 'gtc' }));
      const d = await http(h, 'POST', '/api/orders', order('MSFT', 'buy', 20 + i, px(h, 'MSFT', 0.95))); // not a duplicate of g
      expect([g.status, d.status]).toEqual([200, 200]);
      gtcBefore.push(g.body.orderId as number);
      dayBefore.push(d.body.orderId as number);
    }
    for (const id of [...gtcBefore, ...dayBefore]) await waitOrder(h, id, (o) => o.state === 'new');

    // The steady stream: 2 requests every 10 ms over HTTP; now and then a cancel or replace of a resting gtc order of the stream.
    const sent: Promise<Sent>[] = [];
    const restingGtc: number[] = [];
    let n = 0;
    const tick = () => {
      for (let k = 0; k < 2; k++) {
        n++;
        const target = n % 10 === 0 ? restingGtc.shift() : undefined;
        if (target !== undefined) {
          const replace = n % 20 === 0;
          const path = `/api/orders/${target}/${replace ? 'replace' : 'cancel'}`;
          sent.push(http(h, 'POST', path, replace ? { quantity: 7, price: px(h, 'AAPL', 0.96) } : undefined).then((r) => ({ kind: replace ? 'replace' : 'cancel', ...r })));
          continue;
        }
        const resting = n % 3 !== 0;
        const o = order('AAPL', n % 2 === 0 ? 'buy' : 'sell', 5, px(h, 'AAPL', resting ? (n % 2 === 0 ? 0.95 : 1.05) : n % 2 === 0 ? 1.02 : 0.98), {
          timeInForce: n % 4 < 2 ? 'gtc' : 'day',
          // An algo's stream: the same 5-lot on purpose, sells with a locate (risk's checks are on by default).
          intentional: true,
          ...(n % 2 === 0 ? {} : { locate: true }),
        });
        sent.push(
          http(h, 'POST', '/api/orders', o).then((r) => {
            if (r.status === 200 && resting && o.timeInForce === 'gtc') restingGtc.push(r.body.orderId as number);
            return { kind: 'order', clientOrderId: o.clientOrderId, ...r };
          }),
        );
      }
    };
    const timer = setInterval(tick, 10);
    try {
      await waitFor(() => n >= 200, 'the stream under way', 30_000);
      const roll1 = await http(h, 'POST', '/api/session/roll');
      expect(roll1).toMatchObject({ status: 200, body: { closedSessionId: 1, sessionId: 2 } });
      const at = n;
      await waitFor(() => n >= at + 200, 'the stream in session 2', 30_000);
      const roll2 = await http(h, 'POST', '/api/session/roll');
      expect(roll2).toMatchObject({ status: 200, body: { closedSessionId: 2, sessionId: 3 } });
      const at2 = n;
      await waitFor(() => n >= at2 + 200, 'the stream in session 3', 30_000);
    } finally {
      clearInterval(timer);
    }
    const results = await Promise.all(sent);
    const refused = results.filter((r) => r.status !== 200);
    expect(refused.map((r) => `${r.kind}: ${r.status} ${JSON.stringify(r.body)}`)).toEqual([]);
    expect(results.filter((r) => r.kind !== 'order').length).toBeGreaterThan(10);

    // The log: sessions 1 and 2 closed, 3 open; seqs gap-free in each; every order in exactly one OrderPending.
    const log = openReadableLog(`${h.dir}/ordo.db`);
    try {
      expect(log.sessions().map((s) => [s.id, s.state])).toEqual([
        [1, 'closed'],
        [2, 'closed'],
        [3, 'open'],
      ]);
      const pendingByCoid = new Map<string, number[]>();
      const orderIds = new Set<number>();
      for (const s of log.sessions()) {
        let expected = 1;
        for (const e of log.events(s.id)) {
          expect(e.seq).toBe(expected++);
          if (e.event.type === 'OrderPending') {
            const ids = pendingByCoid.get(e.event.clientOrderId) ?? [];
            ids.push(e.event.orderId);
            pendingByCoid.set(e.event.clientOrderId, ids);
            expect(orderIds.has(e.event.orderId)).toBe(false);
            orderIds.add(e.event.orderId);
          }
        }
        expect(expected - 1).toBe(s.lastSeq);
      }
      for (const r of results) {
        if (r.kind !== 'order') continue;
        expect(pendingByCoid.get(r.clientOrderId!)).toEqual([r.body.orderId]);
      }

      // A replay of each closed session gives the snapshot it stored; of the open one, the live state.
      for (const s of log.sessions().filter((x) => x.state === 'closed')) {
        // The snapshot is taken just before SessionClosed, the session's last event.
        const p = new OmsProjection();
        const risk = new RiskState();
        for (const e of log.events(s.id, 1, s.lastSeq - 1)) {
          p.apply(e);
          risk.apply(e);
        }
        expect([...log.events(s.id, s.lastSeq)][0]!.event.type).toBe('SessionClosed');
        expect(JSON.parse(JSON.stringify({ ...takeSnapshot(p), risk: takeRiskSnapshot(risk) }))).toEqual(log.snapshot(s.id)!.body);
      }
      await waitFor(() => h.view.projection.session.id === 3 && h.view.projection.lastSeq === log.lastSeq(3), 'the view caught up');
      const replayed = new OmsProjection();
      for (const e of log.events(3, 1, h.view.projection.lastSeq)) replayed.apply(e);
      expect(replayed.stateHash()).toBe(h.view.projection.stateHash());
    } finally {
      log.close();
    }

    // Day orders ended at the venue with their session; gtc orders were carried live and can still be cancelled.
    for (const id of dayBefore) expect(h.localVenue!.exchange.isLive(id)).toBe(false);
    for (const id of gtcBefore) {
      expect(h.view.projection.order(id)?.state).toBe('new');
      expect(h.localVenue!.exchange.isLive(id)).toBe(true);
      const c = await http(h, 'POST', `/api/orders/${id}/cancel`);
      expect(c.status).toBe(200);
    }
    for (const id of gtcBefore) await waitOrder(h, id, (o) => o.state === 'cancelled');
    for (const id of gtcBefore) expect(h.localVenue!.exchange.isLive(id)).toBe(false);
  }, 120_000);

  it('refuses a roll while no session is open with a clear 409', async () => {
    const h = await startTestHost({ venueIn: 'host' });
    hosts.push(h);
    const closed = await http(h, 'POST', '/api/session/close');
    expect(closed.status).toBe(200);
    const r = await http(h, 'POST', '/api/session/roll');
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({ code: 'SESSION_NOT_OPEN', message: 'cannot roll: session 1 is closed' });
    const log = openReadableLog(`${h.dir}/ordo.db`);
    try {
      expect(log.sessions().map((s) => s.state)).toEqual(['closed']);
    } finally {
      log.close();
    }
  });
});
