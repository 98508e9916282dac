import { describe, expect, it } from 'vitest';
import { orderTextMatcher } from '../../contract/order-text-match.ts';
import { matchesOrderText, orderFilterOf, type FilterableOrder } from '../../contract/order-window.ts';

/** Orders whose fields meet needles at every boundary: upper case, spaces, empty and missing fields, non-ASCII. */
const ORDERS: FilterableOrder[] = [
  { orderId: 17, clientOrderId: 'W-17', clientId: 'ALPHA', symbol: 'AAPL', side: 'buy', state: 'new', timeInForce: 'day', venue: 'XNAS' },
  { orderId: 170, clientOrderId: 'abc ALPHA', clientId: 'CHARLIE', symbol: 'MSFT', side: 'sell', state: 'rejected', timeInForce: 'gtc', rejectReason: 'Limit Breach' },
  { orderId: 4, clientOrderId: '', clientId: 'ALPHA', symbol: 'JPM', side: 'sell', state: 'filled', timeInForce: 'ioc', venue: '' },
  { orderId: 9007199254740, clientOrderId: 'aaaab', clientId: 'AAAB', symbol: 'AAAAB', side: 'buy', state: 'partially_filled', timeInForce: 'day' },
  // toLowerCase turns the Kelvin sign into ASCII "k" and "İ" into two characters: the reference decides these.
  { orderId: 5, clientOrderId: 'K-1', clientId: 'KELVIN', symbol: 'İBM', side: 'buy', state: 'new', timeInForce: 'day' },
  { orderId: 6, clientOrderId: 'ÄÖÜ-6', clientId: 'ALPHA', symbol: 'AAPL', side: 'buy', state: 'cancelled', timeInForce: 'day', venue: 'XNYS' },
  { orderId: 7, clientOrderId: 'Z-7', clientId: 'ALPHA', symbol: 'AAPL', side: 'sell', state: 'new', timeInForce: 'day', rejectReason: 'naïve ÉTÉ' },
];

/** Every substring of every order's text (and near misses), plus the ids and a few odd ones. */
function needles(): string[] {
  const out = new Set<string>(['#17', '17', '#', '0', '017', '4', '#4', '9007199254740', '1e1', 'k', 'k-1', 'i̇bm', 'i', 'ä', 'é', 'z-7 alpha aapl sell new', ' ', '  ', 'x', 'aa', 'aaab', 'aaaab aaab', 'b aaab aaaab buy', 'alpha aapl', 'alpha  aapl', 'pha aa', 'sell rejected', 'rejected sell', 'ié']);
  for (const o of ORDERS) {
    const hay = `${o.clientOrderId} ${o.clientId} ${o.symbol} ${o.state} ${o.side} ${o.venue ?? ''} ${o.rejectReason ?? ''}`.toLowerCase();
    for (let i = 0; i < hay.length; i++) for (let j = i + 1; j <= Math.min(hay.length, i + 14); j++) out.add(hay.slice(i, j));
  }
  return [...out].map((n) => n.trim().toLowerCase()).filter((n) => n !== '');
}

describe('orderTextMatcher: the blotter text filter without a string per order (decision 231)', () => {
  it('answers exactly as matchesOrderText for every needle and order, across field boundaries and non-ASCII text', () => {
    let matched = 0;
    for (const needle of needles()) {
      const m = orderTextMatcher(needle, matchesOrderText);
      for (const o of ORDERS) {
        const want = matchesOrderText(o, needle);
        expect(m(o), `${JSON.stringify(needle)} on order ${o.orderId}`).toBe(want);
        if (want) matched++;
      }
    }
    // The needles do match (the comparison is not all false = false).
    expect(matched).toBeGreaterThan(500);
  });

  it('answers as matchesOrderText for seeded random needles over a small alphabet (borders of repeated letters)', () => {
    let s = 99;
    const next = () => (s = (s * 1103515245 + 12345) % 2 ** 31);
    const abc = 'ab A-';
    const orders: FilterableOrder[] = [];
    for (let i = 0; i < 60; i++) {
      const word = (n: number) => Array.from({ length: n }, () => abc[next() % abc.length]).join('');
      orders.push({ orderId: i + 1, clientOrderId: word(next() % 9), clientId: word(1 + (next() % 4)), symbol: word(1 + (next() % 4)), side: 'buy', state: 'new', timeInForce: 'day', venue: word(next() % 3) });
    }
    let matched = 0;
    for (let k = 0; k < 400; k++) {
      const needle = Array.from({ length: 1 + (next() % 7) }, () => 'ab a-'[next() % 5]).join('').trim();
      if (needle === '') continue;
      const m = orderTextMatcher(needle, matchesOrderText);
      for (const o of orders) {
        const want = matchesOrderText(o, needle);
        expect(m(o), `${JSON.stringify(needle)} on ${JSON.stringify(o)}`).toBe(want);
        if (want) matched++;
      }
    }
    expect(matched).toBeGreaterThan(1000);
  });

  it('is what orderFilterOf uses: a text query filters as the reference does', () => {
    for (const text of ['  ALPHA AAPL ', '#17', 'k', 'naïve']) {
      const f = orderFilterOf({ text });
      const needle = text.trim().toLowerCase();
      expect(ORDERS.filter(f).map((o) => o.orderId), text).toEqual(ORDERS.filter((o) => matchesOrderText(o, needle)).map((o) => o.orderId));
    }
  });
});
