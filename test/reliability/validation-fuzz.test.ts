import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeCommands } from '../../engine/protocol/codec.ts';
import { BadRequest, parseAction, parseAsOf, parseComponentId, parseEventQuery, parseNewOrder, parseOrderId, parseReplace } from '../../engine/host/validation.ts';
import { record } from './helpers/figures.ts';

/**
 * The API's validation (engine/host/validation.ts) under arbitrary input:
 * it either returns a value that satisfies the contract, or throws
 * BadRequest with a message naming the field. Never anything else, and a
 * value it lets through always encodes as a command (so bad input cannot
 * reach the sequencer as an encoding failure).
 */

const counts = { accepted: 0, refused: 0 };

function outcome<T>(parse: () => T): T | undefined {
  try {
    const v = parse();
    counts.accepted++;
    return v;
  } catch (err) {
    if (!(err instanceof BadRequest)) throw err;
    expect(err.message).toMatch(/^[a-zA-Z]+(\.[\w.]+)?(\[".*"\])?: [^\n]+$/);
    counts.refused++;
    return undefined;
  }
}

const nasty = fc.oneof(
  fc.constantFrom(NaN, Infinity, -Infinity, -0, 0, -1, 1e-300, 1e300, Number.MAX_SAFE_INTEGER + 2, 2 ** 53, 1.5, 0.1 + 0.2, '10', '', ' ', null, true, [], {}, '\u0000', '\ud800', 'A'.repeat(65), 'A B'),
  fc.double(),
  fc.integer(),
  fc.string(),
  fc.jsonValue(),
);

const validOrder = fc.record({
  clientId: fc.constantFrom('ALPHA', 'BRAVO'),
  clientOrderId: fc.stringMatching(/^[\x21-\x7e]{1,64}$/),
  symbol: fc.constantFrom('AAPL', 'MSFT', 'SPY 281215C600'),
  side: fc.constantFrom('buy', 'sell'),
  orderType: fc.constant('limit'),
  quantity: fc.integer({ min: 1, max: 1_000_000_000 }),
  price: fc.double({ min: 0.01, max: 1e9, noNaN: true }),
  timeInForce: fc.constantFrom('day', 'gtc', 'ioc'),
});

/** A valid order with one field replaced, removed, or an unknown field added. */
const mutatedOrder = fc
  .tuple(validOrder, fc.constantFrom('clientId', 'clientOrderId', 'symbol', 'side', 'orderType', 'type', 'quantity', 'price', 'timeInForce', 'extra', '__proto__', 'constructor'), nasty, fc.boolean())
  .map(([o, key, value, remove]) => {
    const copy: Record<string, unknown> = { ...o };
    if (remove) delete copy[key];
    else Object.defineProperty(copy, key, { value, enumerable: true, configurable: true, writable: true });
    return copy;
  });

describe('API validation under arbitrary input (fast-check)', () => {
  it('parseNewOrder: a contract-satisfying order or BadRequest, and what passes always encodes', () => {
    fc.assert(
      fc.property(fc.oneof(mutatedOrder, validOrder, fc.anything(), fc.jsonValue()), (input) => {
        const o = outcome(() => parseNewOrder(input));
        if (!o) return;
        expect(Number.isSafeInteger(o.quantity) && o.quantity > 0).toBe(true);
        if (o.orderType === 'limit') expect(Number.isFinite(o.price) && o.price! > 0).toBe(true);
        else expect(o.price).toBeUndefined();
        for (const k of Object.keys(o)) expect(['clientId', 'clientOrderId', 'symbol', 'side', 'orderType', 'quantity', 'price', 'timeInForce']).toContain(k);
        expect(() =>
          encodeCommands('proxy-1', [
            {
              cseq: 1,
              body: { type: 'OrderPending', orderId: 1, clientId: o.clientId, clientOrderId: o.clientOrderId, symbol: o.symbol, side: o.side, orderType: o.orderType, timeInForce: o.timeInForce, quantity: o.quantity, price: o.price ?? 0 },
            },
          ]),
        ).not.toThrow();
      }),
      { numRuns: 3000 },
    );
  });

  it('the other parsers: a valid value or BadRequest, never another error', () => {
    fc.assert(
      fc.property(fc.oneof(nasty, fc.anything()), fc.oneof(nasty, fc.anything()), (a, b) => {
        const r = outcome(() => parseReplace({ quantity: a, price: b }));
        if (r) expect(Number.isSafeInteger(r.quantity) && r.quantity > 0 && Number.isFinite(r.price) && r.price > 0).toBe(true);
        outcome(() => parseReplace(a));
        const q = outcome(() => parseEventQuery(a));
        if (q) for (const v of Object.values(q)) expect(Number.isSafeInteger(v) && (v as number) > 0).toBe(true);
        outcome(() => parseAsOf({ seq: a, session: b }));
        const id = outcome(() => parseOrderId(a));
        if (id !== undefined) expect(Number.isSafeInteger(id) && id > 0).toBe(true);
        const cid = outcome(() => parseComponentId(a));
        if (cid !== undefined) expect(cid).toMatch(/^[\x21-\x7e]{1,64}$/);
        outcome(() => parseAction(a));
      }),
      { numRuns: 3000 },
    );
  });

  it('names the field at fault', () => {
    const base = { clientId: 'ALPHA', clientOrderId: 'x1', symbol: 'AAPL', side: 'buy', orderType: 'limit', quantity: 10, price: 100, timeInForce: 'day' };
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...base, quantity: -5 }, /^order\.quantity: /],
      [{ ...base, quantity: 1.5 }, /^order\.quantity: /],
      [{ ...base, quantity: Infinity }, /^order\.quantity: /],
      [{ ...base, price: NaN }, /^order\.price: /],
      [{ ...base, price: -Infinity }, /^order\.price: /],
      [{ ...base, price: 0 }, /^order\.price: /],
      [{ ...base, side: 'short' }, /^order\.side: /],
      [{ ...base, bogus: 1 }, /^order\.bogus: unknown field$/],
      [{ ...base, orderType: 'market' }, /^order\.price: must be absent/],
      // The key's old name (decision 066) is named as such, with or without the new one.
      [(({ orderType: _t, ...rest }) => ({ ...rest, type: 'limit' }))(base), /^order\.type: unknown field; the order type is orderType$/],
      [{ ...base, type: 'limit' }, /^order\.type: unknown field; the order type is orderType$/],
      // The one wording (engine/oms/validation.ts issueLine), shared with reference data and snapshots.
      [{ ...base, quantity: -5 }, /^order\.quantity: must be > 0$/],
      [{ ...base, quantity: 1.5 }, /^order\.quantity: must be a whole number$/],
      [{ ...base, quantity: '10' }, /^order\.quantity: must be a number$/],
      [{ ...base, price: NaN }, /^order\.price: must be a finite number$/],
      [{ ...base, side: 'short' }, /^order\.side: must be one of buy, sell$/],
      [{ ...base, clientId: '' }, /^order\.clientId: must have at least 1 characters$/],
      [(({ side: _s, ...rest }) => rest)(base), /^order\.side: is required$/],
      [{ ...base, 'a\nb': 1 }, /^order\["a\\nb"\]: unknown field$/],
    ];
    for (const [input, re] of cases) expect(() => parseNewOrder(input)).toThrow(re);
    record('validation-fuzz', counts);
  });
});
