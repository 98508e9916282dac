import { describe, expect, it } from 'vitest';
import { isMultipleOf, normalisePriceText, parseLimit, parsePrice, parseQuantity, roundToTick, stepPrice, validateReplace, validateTicket } from '../../renderer/lib/validation.ts';
import type { TicketInput } from '../../renderer/lib/validation.ts';
import { client, instrument } from './helpers.ts';

const aapl = instrument('AAPL', { tickSize: 0.01, lotSize: 1, referencePrice: 190 });
const vod = instrument('VOD', { tickSize: 0.02, lotSize: 100, referencePrice: 71.36 });
const alpha = client('ALPHA', { maxOrderNotional: 100_000 });
const input = (over: Partial<TicketInput> = {}): TicketInput => ({
  symbol: 'AAPL',
  clientId: 'ALPHA',
  side: 'buy',
  orderType: 'limit',
  quantity: '100',
  price: '190.01',
  timeInForce: 'day',
  ...over,
});

describe('parsing what traders type', () => {
  it('quantities with separators and k/m suffixes', () => {
    expect(parseQuantity('1,500')).toBe(1500);
    expect(parseQuantity(' 2k ')).toBe(2000);
    expect(parseQuantity('1.5m')).toBe(1_500_000);
    expect(parseQuantity('0.5k')).toBe(500);
    expect(parseQuantity('abc')).toBeNaN();
    expect(parseQuantity('-5')).toBeNaN();
    expect(parseQuantity('')).toBeNaN();
  });

  it('prices', () => {
    expect(parsePrice('190.01')).toBe(190.01);
    expect(parsePrice('.5')).toBe(0.5);
    expect(parsePrice('1,000.5')).toBe(1000.5);
    expect(parsePrice('1e3')).toBeNaN();
    expect(parsePrice('-1')).toBeNaN();
  });

  it('multiples and ticks survive floating-point noise', () => {
    expect(isMultipleOf(0.3, 0.1)).toBe(true);
    expect(isMultipleOf(190.07, 0.01)).toBe(true);
    expect(isMultipleOf(71.38, 0.02)).toBe(true);
    expect(isMultipleOf(71.37, 0.02)).toBe(false);
    expect(isMultipleOf(150, 100)).toBe(false);
    expect(roundToTick(0.1 + 0.2, 0.01)).toBe(0.3);
    expect(roundToTick(71.37, 0.02)).toBe(71.38);
  });
});

describe('validateTicket', () => {
  it('accepts a valid limit order and builds the request', () => {
    const v = validateTicket(input(), aapl, alpha);
    expect(v).toEqual({
      ok: true,
      warnings: [],
      notional: 19001,
      order: { clientId: 'ALPHA', symbol: 'AAPL', side: 'buy', orderType: 'limit', quantity: 100, price: 190.01, timeInForce: 'day' },
    });
  });

  it('sends the tick itself for a price on the tick within float noise, and refuses one off the tick', () => {
    const v = validateTicket(input({ price: '190.0100000001' }), aapl, alpha);
    expect(v.ok && v.order.price).toBe(190.01);
    expect(normalisePriceText('190.0100000001', 0.01)).toBe('190.01');
    expect(normalisePriceText('190.017', 0.01)).toBe('190.017');
    expect(validateTicket(input({ price: '190.017' }), aapl, alpha).ok).toBe(false);
  });

  it('steps the price by ticks from the field, or from the fallback when the field is empty', () => {
    expect(stepPrice('190.01', 1, 0.01, 180)).toBe('190.02');
    expect(stepPrice('190.01', -10, 0.01, 180)).toBe('189.91');
    expect(stepPrice('', 1, 0.05, 6.87)).toBe('6.85');
    expect(stepPrice('0.05', -3, 0.05, 6.87)).toBe('0.05');
  });

  it('market orders carry no price and ignore the price field', () => {
    const v = validateTicket(input({ orderType: 'market', price: 'junk', timeInForce: 'ioc' }), aapl, alpha);
    expect(v.ok).toBe(true);
    if (v.ok) expect('price' in v.order).toBe(false);
  });

  it('names the rule at fault per field', () => {
    const v = validateTicket(input({ symbol: 'VOD', quantity: '150', price: '71.37' }), vod, alpha);
    expect(v.ok).toBe(false);
    if (!v.ok) {
      expect(v.errors.quantity).toBe('Quantity must be a multiple of the lot size 100');
      expect(v.errors.price).toBe('Price must be on the tick 0.02');
    }
  });

  it('rejects non-positive and fractional quantities, and zero prices', () => {
    const zero = validateTicket(input({ quantity: '0', price: '0' }), aapl, alpha);
    expect(zero.ok === false && zero.errors).toEqual({ quantity: 'Quantity must be positive', price: 'Price must be positive' });
    const frac = validateTicket(input({ quantity: '10.5' }), aapl, alpha);
    expect(frac.ok === false && frac.errors.quantity).toBe('Quantity must be a whole number');
  });

  it('requires an instrument and a client that exist', () => {
    const v = validateTicket(input({ symbol: 'ZZZ', clientId: '' }), undefined, undefined);
    expect(v.ok === false && v.errors).toMatchObject({ symbol: 'Unknown instrument ZZZ', clientId: 'Choose a client' });
  });

  it('knows "*" allows every symbol', () => {
    expect(validateTicket(input(), aapl, client('ALPHA', { allowedSymbols: ['*'] })).warnings).toEqual([]);
    expect(validateTicket(input(), aapl, client('DELTA', { allowedSymbols: ['AAPL'] })).warnings).toEqual([]);
  });

  it('warns, without blocking, about limits risk will check', () => {
    const v = validateTicket(input({ quantity: '1000' }), aapl, client('BRAVO', { allowedSymbols: ['MSFT'], maxOrderNotional: 100_000 }));
    expect(v.ok).toBe(true);
    expect(v.warnings).toHaveLength(2);
    expect(v.warnings[0]).toContain('not in BRAVO');
    expect(v.warnings[1]).toContain('exceeds');
  });
});

describe('validateReplace', () => {
  it('accepts a new quantity and price', () => {
    expect(validateReplace('200', '190.05', 50, aapl)).toEqual({ ok: true, change: { quantity: 200, price: 190.05 } });
  });
  it('refuses a quantity at or below what is filled, and off-tick prices', () => {
    const v = validateReplace('50', '190.055', 50, aapl);
    expect(v.ok === false && v.errors).toEqual({ quantity: 'Quantity must exceed the filled 50', price: 'Price must be on the tick 0.01' });
  });
});

describe('a minus sign (round 15, outside: the ticket said "-5" was no number)', () => {
  it('the ticket says a negative quantity or price must be positive', () => {
    const v = validateTicket(input({ quantity: '-5', price: '-190.01' }), aapl, alpha);
    expect(v.ok === false && v.errors).toEqual({ quantity: 'Quantity must be positive', price: 'Price must be positive' });
    const t = validateTicket(input({ quantity: ' -2k ' }), aapl, alpha);
    expect(t.ok === false && t.errors.quantity).toBe('Quantity must be positive');
  });
  it('the amend form says the same; a stray minus in other text is still no number', () => {
    const v = validateReplace('-200', '-1', 50, aapl);
    expect(v.ok === false && v.errors).toEqual({ quantity: 'Quantity must be positive', price: 'Price must be positive' });
    const w = validateReplace('-', '--1', 50, aapl);
    expect(w.ok === false && w.errors).toEqual({ quantity: 'Quantity must be a number', price: 'Price must be a number' });
  });
});

describe('a decimal comma (round 19, outside: a trader typed "1,5" and the ticket read 15, "228,50" and it read 22850)', () => {
  const COMMA = 'use a point for decimals; a comma separates thousands (1,500)';
  it('a comma is a thousands separator only in threes; anything else is no number', () => {
    expect(parseQuantity('1,5')).toBeNaN();
    expect(parseQuantity('1,5k')).toBeNaN();
    expect(parseQuantity('1,0000')).toBeNaN();
    expect(parsePrice('228,50')).toBeNaN();
    expect(parsePrice('1,2345.5')).toBeNaN();
    expect(parseQuantity('1,000,000')).toBe(1_000_000);
    expect(parsePrice('1,234.50')).toBe(1234.5);
  });
  it('thousands by space, no-break space or underscore, as pasted from a spreadsheet; mixed kinds are no number', () => {
    expect(parseQuantity('1 000')).toBe(1000);
    expect(parseQuantity('12\u00a0500')).toBe(12_500);
    expect(parseQuantity('1\u202f000\u202f000')).toBe(1_000_000);
    expect(parseQuantity('1_000')).toBe(1000);
    expect(parsePrice('1 234.5')).toBe(1234.5);
    expect(parseQuantity('1 5')).toBeNaN();
    expect(parseQuantity('1,000 000')).toBeNaN();
    expect(parsePrice('228.')).toBe(228);
    expect(parsePrice('.')).toBeNaN();
  });
  it('the ticket and the amend form say to use a point', () => {
    const v = validateTicket(input({ quantity: '1,5k', price: '190,01' }), aapl, alpha);
    expect(v.ok === false && v.errors).toEqual({ quantity: `Quantity: ${COMMA}`, price: `Price: ${COMMA}` });
    const w = validateReplace('1,5', '190,01', 0, aapl);
    expect(w.ok === false && w.errors).toEqual({ quantity: `Quantity: ${COMMA}`, price: `Price: ${COMMA}` });
  });
});

describe('a risk limit as typed (round 19, outside: Number() took 0x10 as 16 and refused 1,000,000)', () => {
  it('separators and k/m suffixes as in the ticket, zero allowed, hex, exponents and signs refused', () => {
    expect(parseLimit('1,000,000')).toBe(1_000_000);
    expect(parseLimit('5m')).toBe(5_000_000);
    expect(parseLimit('0')).toBe(0);
    expect(parseLimit('0x10')).toBeNaN();
    expect(parseLimit('1e6')).toBeNaN();
    expect(parseLimit('-5')).toBeNaN();
    expect(parseLimit('')).toBeNaN();
  });
});
