import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventLine } from '../../../contract/api.ts';
import { Reason } from '../../../engine/protocol/reasons.ts';
import { order, startTestHost, unwrap, waitFor } from '../helpers/host.ts';

type TestHost = Awaited<ReturnType<typeof startTestHost>>;
let host: TestHost;

beforeAll(async () => {
  host = await startTestHost({ venueIn: 'host' });
}, 60_000);
afterAll(async () => {
  await host?.dispose();
});

const ref = (h: TestHost, symbol: string): number => h.view.projection.instrument(symbol)!.referencePrice;
const px = (h: TestHost, symbol: string, f: number): number => Number((ref(h, symbol) * f).toFixed(2));

async function events(): Promise<EventLine[]> {
  return unwrap(await host.api.getEvents({ from: 1, limit: 1_000_000 }));
}

describe('kill switch under a live stream', () => {
  it('after ClientHalted no new order of the client reaches the venue, every live one is cancelled there, others trade on', async () => {
    const symbols = ['AAPL', 'MSFT', 'JPM', 'NVDA'];
    // Resting ALPHA orders well below the market, live at the venue.
    const resting: number[] = [];
    for (let i = 0; i < 12; i++) {
      const s = symbols[i % symbols.length]!;
      resting.push(unwrap(await host.api.submitOrder(order(s, 'buy', 100 + i, px(host, s, 0.93)))).orderId);
    }
    const bravo = unwrap(await host.api.submitOrder(order('JPM', 'buy', 100, px(host, 'JPM', 0.93), { clientId: 'BRAVO' }))).orderId;
    await waitFor(() => resting.every((id) => host.localVenue!.exchange.status(id).state === 'open'), 'resting orders at the venue', 20_000);

    // A live stream of new ALPHA orders while the halt happens.
    let streaming = true;
    const streamed: number[] = [];
    const stream = (async () => {
      let i = 0;
      while (streaming) {
        const s = symbols[i % symbols.length]!;
        const r = await host.api.submitOrder(order(s, 'buy', 10 + (i % 50), px(host, s, 0.94)));
        if (r.ok) streamed.push(r.value.orderId);
        i++;
        await new Promise((res) => setTimeout(res, 2));
      }
    })();
    await waitFor(() => streamed.length >= 10, 'stream started', 20_000);
    unwrap(await host.risk.halt('ALPHA', { by: 'test-desk', reason: 'runaway algo' }));
    const afterHalt = streamed.length;
    await waitFor(() => streamed.length >= afterHalt + 15, 'stream after the halt', 20_000);
    streaming = false;
    await stream;

    const all = [...resting, ...streamed];
    const p = host.view.projection;
    await waitFor(() => all.every((id) => ['cancelled', 'rejected', 'filled', 'expired'].includes(p.order(id)!.state)), 'every ALPHA order terminal', 30_000);

    const log = await events();
    const halt = log.find((e) => e.type === 'TradingHalted')!;
    expect(halt).toMatchObject({ clientId: 'ALPHA', by: 'test-desk', text: 'runaway algo' });
    const seqOf = (type: string, id: number) => log.find((e) => e.type === type && e.orderId === id)?.seq;
    let cancelledByKill = 0;
    let refused = 0;
    for (const id of all) {
      const venueState = host.localVenue!.exchange.status(id).state;
      // Nothing of ALPHA stays open at the venue.
      expect(venueState).not.toBe('open');
      const pending = seqOf('OrderPending', id)!;
      const routed = seqOf('OrderRouted', id);
      if (pending > halt.seq) {
        // Sent after the halt: refused by risk, never at the venue.
        expect(p.order(id)!.state).toBe('rejected');
        expect(p.order(id)!.rejectCode).toBe(Reason.CLIENT_HALTED);
        expect(venueState).toBe('unknown');
        refused++;
      }
      if (routed !== undefined && routed > halt.seq) expect(venueState).toBe('unknown');
      const cancel = log.find((e) => e.type === 'OrderCancelled' && e.orderId === id);
      if (cancel) {
        expect(cancel.reason).toBe(Reason.KILL_SWITCH);
        expect(cancel.seq).toBeGreaterThan(halt.seq);
        cancelledByKill++;
      }
    }
    // Every resting order was live at the halt: each was cancelled by the kill switch (none could fill 7% below the market).
    for (const id of resting) expect(p.order(id)!.state).toBe('cancelled');
    expect(cancelledByKill).toBeGreaterThanOrEqual(resting.length);
    expect(refused).toBeGreaterThanOrEqual(15);
    // Other clients trade on.
    expect(p.order(bravo)!.state).toBe('new');
    expect(host.localVenue!.exchange.status(bravo).state).toBe('open');

    // Resume: ALPHA trades again.
    unwrap(await host.risk.resume('ALPHA', { by: 'test-desk' }));
    const next = unwrap(await host.api.submitOrder(order('AAPL', 'buy', 7, px(host, 'AAPL', 0.93)))).orderId;
    await waitFor(() => p.order(next)!.state === 'new', 'order after resume at the venue', 20_000);
  }, 120_000);

  it('a firm-wide halt cancels every client\'s live orders and refuses new ones until resumed', async () => {
    const a = unwrap(await host.api.submitOrder(order('MSFT', 'buy', 5, px(host, 'MSFT', 0.93), { clientId: 'CHARLIE' }))).orderId;
    const p = host.view.projection;
    await waitFor(() => host.localVenue!.exchange.status(a).state === 'open', 'order at the venue', 20_000);
    unwrap(await host.risk.halt(undefined, { by: 'cro' }));
    await waitFor(() => p.order(a)!.state === 'cancelled', 'cancelled by the firm halt', 20_000);
    expect(host.localVenue!.exchange.status(a).state).toBe('cancelled');
    const b = unwrap(await host.api.submitOrder(order('MSFT', 'buy', 6, px(host, 'MSFT', 0.93), { clientId: 'BRAVO' }))).orderId;
    await waitFor(() => p.order(b)!.state === 'rejected', 'refused while halted', 20_000);
    expect(p.order(b)!.rejectCode).toBe(Reason.FIRM_HALTED);
    expect(host.risk.overview().firmHalt).toMatchObject({ by: 'cro' });
    unwrap(await host.risk.resume(undefined, { by: 'cro' }));
    await waitFor(() => host.risk.overview().firmHalt === null, 'firm halt lifted', 20_000);
  }, 60_000);

  it('bad input is refused with one line', async () => {
    expect(await host.risk.halt('NOBODY')).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'unknown client "NOBODY"' } });
    expect(await host.risk.setLimits('ALPHA', { maxOrderNotional: -1 })).toEqual({ ok: false, error: { code: 'BAD_REQUEST', message: 'limits.maxOrderNotional: must be a number >= 0' } });
    expect(await host.risk.setLimits('ALPHA', { maxOrderNotionl: 5 })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await host.risk.setRestricted('NOPE', true)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});
