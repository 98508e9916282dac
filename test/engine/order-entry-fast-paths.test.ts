import { describe, expect, it } from 'vitest';
import { plainApiUrl } from '../../engine/host/http/rest.ts';
import { parseNewOrder, parseNewOrderBySchema } from '../../engine/host/validation.ts';
import { LiveView } from '../../engine/host/live-view.ts';
import type { Sequenced } from '../../engine/protocol/events.ts';

/** What a call gives: its value, or the error's class and message. */
function outcome(f: () => unknown): unknown {
  try {
    return { value: f() };
  } catch (err) {
    return { error: (err as Error).name, message: (err as Error).message };
  }
}

const good = { clientId: 'ALPHA', clientOrderId: 'o-1', symbol: 'AAPL', side: 'buy', orderType: 'limit', quantity: 100, price: 189.25, timeInForce: 'day' };

describe('order entry without the general machinery (issue 11: garbage per order)', () => {
  it('a new order checked by hand gives exactly what the schema gives, valid or not', () => {
    const cases: unknown[] = [
      good,
      { ...good, locate: true, intentional: false },
      { ...good, orderType: 'market', price: undefined },
      (({ price: _p, ...rest }) => ({ ...rest, orderType: 'market' }))(good),
      { ...good, timeInForce: 'ioc' },
      { ...good, timeInForce: 'gtd', expireTime: '2030-01-01T00:00:00Z' },
      { ...good, timeInForce: 'gtd' },
      { ...good, expireTime: '2030-01-01T00:00:00Z' },
      { ...good, quantity: 0 },
      { ...good, quantity: 1.5 },
      { ...good, quantity: 1e9 + 1 },
      { ...good, quantity: '100' },
      { ...good, price: -1 },
      { ...good, price: Number.POSITIVE_INFINITY },
      { ...good, price: Number.NaN },
      (({ price: _p, ...rest }) => rest)(good),
      { ...good, orderType: 'market' },
      { ...good, clientOrderId: 'has space' },
      { ...good, clientOrderId: '' },
      { ...good, clientOrderId: 'x'.repeat(65) },
      { ...good, clientId: 'é' },
      { ...good, symbol: '' },
      { ...good, symbol: 'S'.repeat(65) },
      { ...good, symbol: 'AAPL\u0000' },
      { ...good, symbol: 'AA\nPL' },
      { ...good, symbol: 'AAPL\u0085' },
      { ...good, symbol: 'BRK B' },
      { ...good, side: 'short' },
      { ...good, timeInForce: 'gtx' },
      { ...good, locate: 'yes' },
      { ...good, extra: 1 },
      { ...good, type: 'limit' },
      Object.assign(Object.create({ inherited: 1 }) as object, good),
      [good],
      null,
      'order',
    ];
    for (const c of cases) {
      const schema = outcome(() => {
        if (typeof c === 'object' && c !== null && Object.hasOwn(c, 'type')) return parseNewOrder(c);
        return parseNewOrderBySchema(c);
      });
      expect(outcome(() => parseNewOrder(c)), JSON.stringify(c)).toEqual(schema);
    }
  });

  it('a symbol with a control character is refused, one line naming the field; a symbol with a space is taken', () => {
    for (const sym of ['AAPL\u0000', 'AA\nPL', '\u001bAAPL', 'AAPL\u007f', 'AAPL\u0085']) {
      expect(outcome(() => parseNewOrder({ ...good, symbol: sym })), JSON.stringify(sym)).toEqual({ error: 'BadRequest', message: 'order.symbol: must not contain control characters' });
    }
    expect(outcome(() => parseNewOrder({ ...good, symbol: 'BRK B' }))).toEqual({ value: { ...good, symbol: 'BRK B' } });
  });

  it('a plain API path reads as the WHATWG URL reads it; anything else is left to URL', () => {
    for (const raw of ['/api/orders', '/api/orders/12/cancel', '/api/orders?limit=5&state=open', '/api/state?at=7&session=2', '/api/events?a=%20b&c=d+e', '/api/fill-window?sort=price&dir=desc&text=%C3%A9']) {
      const mine = plainApiUrl(raw)!;
      const url = new URL(raw, 'http://127.0.0.1:1');
      expect(mine.pathname, raw).toBe(url.pathname);
      expect([...mine.searchParams], raw).toEqual([...url.searchParams]);
    }
    for (const raw of ['/api/../x', '/api/orders/%2e%2e', '/api/a.b', '/api\\orders', '//api/orders', '/index.html', '/api/orders?x#frag', '/API/orders']) {
      expect(plainApiUrl(raw), raw).toBeUndefined();
    }
  });

  it("the UI's event tail keeps the newest 500 events in order through the ring", () => {
    const view = new LiveView();
    const e = (seq: number): Sequenced => ({ seq, ts: 1000 + seq, src: 'sequencer', cseq: 0, event: seq === 1 ? { type: 'SessionOpened', sessionId: 1, previousSessionId: 0, orderIdBase: 0 } : { type: 'OrderAcknowledged', orderId: seq } });
    view.onEvents(1, [e(1), e(2), e(3)]);
    expect(view.eventTail().map((l) => l.seq)).toEqual([1, 2, 3]);
    expect(view.eventTail(2).map((l) => l.seq)).toEqual([2, 3]);
    let last = 3;
    for (; last + 7 <= 1240; last += 7) view.onEvents(1, Array.from({ length: 7 }, (_, i) => e(last + 1 + i)));
    const all = view.eventTail().map((l) => l.seq);
    expect(all).toHaveLength(500);
    expect(all[0]).toBe(last - 500 + 1);
    expect(all.at(-1)).toBe(last);
    expect(all.every((s, i) => i === 0 || s === all[i - 1]! + 1)).toBe(true);
    expect(view.eventTail(10_000)).toHaveLength(500);
  });
});
