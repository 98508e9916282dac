import type { ClientView, InstrumentView, NewOrderRequest, ReplaceRequest } from '../../contract/api.ts';
import type { OrderType, Side, TimeInForce } from '../../contract/domain.ts';
import { isOnStep } from '../../contract/ticks.ts';
import { decimalsOf, formatQty } from './format.ts';

/**
 * Inline validation of the order ticket and the amend form. It catches what
 * the trader can fix before sending (lot multiples, ticks, positive sizes);
 * risk in the engine remains the authority and may still reject.
 */
export interface TicketInput {
  symbol: string;
  clientId: string;
  side: Side;
  orderType: OrderType;
  /** As typed: `500`, `1,000`, `2k`. */
  quantity: string;
  price: string;
  timeInForce: TimeInForce;
}

export type TicketField = 'symbol' | 'clientId' | 'quantity' | 'price';
export type FieldErrors = Partial<Record<TicketField, string>>;

export type TicketValidation =
  | { ok: true; order: Omit<NewOrderRequest, 'clientOrderId'>; warnings: string[]; notional: number }
  | { ok: false; errors: FieldErrors; warnings: string[] };

/** A thousands separator a trader may type or paste: comma, underscore, space, no-break space, narrow no-break space. */
const GROUPED = [/^\d{1,3}(?:,\d{3})+$/, /^\d{1,3}(?:_\d{3})+$/, /^\d{1,3}(?:[ \u00a0\u202f]\d{3})+$/];

/**
 * The whole part of a number as typed, without its thousands separators: plain digits, or digits in threes split by
 * one kind of separator ("1,500", "1 000 000"). Undefined otherwise: "1,5" (a decimal comma) once read as 15 and
 * "228,50" as 22850, a fat finger the ticket itself made.
 */
function wholePart(text: string): string | undefined {
  if (/^\d+$/.test(text)) return text;
  return GROUPED.some((re) => re.test(text)) ? text.replace(/[^\d]/g, '') : undefined;
}

/**
 * Parses a quantity as a trader types it: digits with optional thousands
 * separators (in threes) and a `k`/`m` suffix. NaN when it is not a number.
 */
export function parseQuantity(text: string): number {
  const m = /^([\d,_ \u00a0\u202f]*)(\.\d+)?([km]?)$/.exec(text.trim().toLowerCase());
  if (!m || (m[1] === '' && m[2] === undefined)) return Number.NaN;
  const whole = m[1] === '' ? '0' : wholePart(m[1]!);
  if (whole === undefined) return Number.NaN;
  const base = Number(whole + (m[2] ?? ''));
  const mult = m[3] === 'k' ? 1_000 : m[3] === 'm' ? 1_000_000 : 1;
  return Math.round(base * mult * 1e6) / 1e6;
}

/**
 * Parses a risk limit as a risk manager types it: as a quantity (`1,000,000`, `5m`, `250k`), zero included.
 * NaN otherwise. `Number()` took `0x10` as 16 and `1e6`, and refused `1,000,000` (round 19, outside).
 */
export function parseLimit(text: string): number {
  return parseQuantity(text);
}

/** Parses a price: a plain non-negative decimal, thousands separators in threes. NaN otherwise. */
export function parsePrice(text: string): number {
  const m = /^([\d,_ \u00a0\u202f]*)(\.\d*)?$/.exec(text.trim());
  if (!m || (m[1] === '' && (m[2] === undefined || m[2] === '.'))) return Number.NaN;
  const whole = m[1] === '' ? '0' : wholePart(m[1]!);
  if (whole === undefined) return Number.NaN;
  return Number(whole + (m[2] ?? ''));
}

/**
 * "Use a point for decimals" for a number that reads as one with its comma as the decimal point (`1,5`, `228,50`):
 * "must be a number" would not say what to change.
 */
function decimalCommaError(text: string, parse: (t: string) => number, what: 'Quantity' | 'Price'): string | undefined {
  const t = text.trim();
  if (!t.includes(',') || !Number.isNaN(parse(t))) return undefined;
  const pointed = t.replace(/,(?=\d*[km]?$)/i, '.');
  return pointed !== t && !Number.isNaN(parse(pointed)) ? `${what}: use a point for decimals; a comma separates thousands (1,500)` : undefined;
}

/** True when `value` is a whole multiple of `step`, by the engine's own rule (contract/ticks.ts); any value for no step. */
export function isMultipleOf(value: number, step: number): boolean {
  if (!(step > 0)) return true;
  return isOnStep(value, step);
}

/**
 * "Must be positive" for a number typed with a minus sign (`-5`): the parsers take no sign, and "must be a
 * number" said of -5 sends the trader looking for a typo that is not there.
 */
function negativeError(text: string, parse: (t: string) => number, what: 'Quantity' | 'Price'): string | undefined {
  const t = text.trim();
  return t.startsWith('-') && !Number.isNaN(parse(t.slice(1))) ? `${what} must be positive` : undefined;
}

export function quantityError(qty: number, instrument: InstrumentView | undefined): string | undefined {
  if (Number.isNaN(qty)) return 'Quantity must be a number';
  if (!(qty > 0)) return 'Quantity must be positive';
  if (!Number.isInteger(qty)) return 'Quantity must be a whole number';
  if (instrument && !isMultipleOf(qty, instrument.lotSize)) {
    return `Quantity must be a multiple of the lot size ${formatQty(instrument.lotSize)}`;
  }
  return undefined;
}

export function priceError(price: number, instrument: InstrumentView | undefined): string | undefined {
  if (Number.isNaN(price)) return 'Price must be a number';
  if (!(price > 0)) return 'Price must be positive';
  if (instrument && !isMultipleOf(price, instrument.tickSize)) {
    return `Price must be on the tick ${instrument.tickSize.toFixed(decimalsOf(instrument.tickSize))}`;
  }
  return undefined;
}

/** Rounds to the instrument's tick, dropping floating-point noise (0.1 + 0.2). */
export function roundToTick(price: number, tickSize: number): number {
  if (!(tickSize > 0)) return price;
  const d = decimalsOf(tickSize);
  return Number((Math.round(price / tickSize) * tickSize).toFixed(d));
}

/** True when the client may trade `symbol`: its list names it or is "*" (an empty list is taken as no restriction). */
export function allowsSymbol(client: ClientView, symbol: string): boolean {
  const list = client.allowedSymbols;
  return list.length === 0 || list.includes('*') || list.includes(symbol);
}

export function validateTicket(
  input: TicketInput,
  instrument: InstrumentView | undefined,
  client: ClientView | undefined,
): TicketValidation {
  const errors: FieldErrors = {};
  const warnings: string[] = [];
  if (input.symbol.trim() === '') errors.symbol = 'Choose an instrument';
  else if (!instrument) errors.symbol = `Unknown instrument ${input.symbol}`;
  if (input.clientId === '') errors.clientId = 'Choose a client';
  else if (!client) errors.clientId = `Unknown client ${input.clientId}`;

  const quantity = parseQuantity(input.quantity);
  const qErr = input.quantity.trim() === '' ? 'Enter a quantity' : (negativeError(input.quantity, parseQuantity, 'Quantity') ?? decimalCommaError(input.quantity, parseQuantity, 'Quantity') ?? quantityError(quantity, instrument));
  if (qErr) errors.quantity = qErr;

  let price: number | undefined;
  if (input.orderType === 'limit') {
    price = parsePrice(input.price);
    const pErr = input.price.trim() === '' ? 'Enter a limit price' : (negativeError(input.price, parsePrice, 'Price') ?? decimalCommaError(input.price, parsePrice, 'Price') ?? priceError(price, instrument));
    if (pErr) errors.price = pErr;
    // On the tick within float noise: send the tick itself, never 228.1000000001.
    else if (instrument) price = roundToTick(price, instrument.tickSize);
  }

  if (client && instrument && !allowsSymbol(client, instrument.symbol)) {
    warnings.push(`${instrument.symbol} is not in ${client.clientId}'s allowed symbols`);
  }
  if (client && instrument && !errors.quantity) {
    const refPx = price ?? instrument.last ?? instrument.referencePrice;
    const notional = quantity * refPx * (instrument.multiplier ?? 1);
    if (client.maxOrderNotional > 0 && notional > client.maxOrderNotional) {
      warnings.push(`Notional ${formatQty(notional)} exceeds the client's order limit ${formatQty(client.maxOrderNotional)}`);
    }
  }

  if (Object.keys(errors).length > 0) return { ok: false, errors, warnings };
  const notional = quantity * (price ?? instrument?.last ?? instrument?.referencePrice ?? 0);
  const order: Omit<NewOrderRequest, 'clientOrderId'> = {
    clientId: input.clientId,
    symbol: input.symbol,
    side: input.side,
    orderType: input.orderType,
    quantity,
    timeInForce: input.timeInForce,
  };
  if (price !== undefined) order.price = price;
  return { ok: true, order, warnings, notional };
}

export type ReplaceValidation =
  | { ok: true; change: ReplaceRequest }
  | { ok: false; errors: { quantity?: string; price?: string } };

/**
 * Validates an amend. The new quantity may not go below what is already
 * filled (the venue could not honour it).
 */
export function validateReplace(
  quantityText: string,
  priceText: string,
  filledQuantity: number,
  instrument: InstrumentView | undefined,
): ReplaceValidation {
  const errors: { quantity?: string; price?: string } = {};
  const quantity = parseQuantity(quantityText);
  const qErr = negativeError(quantityText, parseQuantity, 'Quantity') ?? decimalCommaError(quantityText, parseQuantity, 'Quantity') ?? quantityError(quantity, instrument);
  if (qErr) errors.quantity = qErr;
  else if (quantity <= filledQuantity) errors.quantity = `Quantity must exceed the filled ${formatQty(filledQuantity)}`;
  const price = parsePrice(priceText);
  const pErr = negativeError(priceText, parsePrice, 'Price') ?? decimalCommaError(priceText, parsePrice, 'Price') ?? priceError(price, instrument);
  if (pErr) errors.price = pErr;
  if (errors.quantity || errors.price) return { ok: false, errors };
  return { ok: true, change: { quantity, price: instrument ? roundToTick(price, instrument.tickSize) : price } };
}

/**
 * The price `ticks` ticks away from `text` (an arrow key in the price field),
 * starting from `fallback` (last or reference) when the field is empty or
 * not a number; never below one tick. Returned as text with the tick's decimals.
 */
export function stepPrice(text: string, ticks: number, tickSize: number, fallback: number): string {
  const current = parsePrice(text);
  const base = Number.isNaN(current) || current <= 0 ? fallback : current;
  const next = Math.max(tickSize, roundToTick(base, tickSize) + (Number.isNaN(current) || current <= 0 ? 0 : ticks * tickSize));
  return roundToTick(next, tickSize).toFixed(decimalsOf(tickSize));
}

/**
 * The price as typed, written with the tick's decimals when it is on the tick
 * within float noise (228.1000000001 → 228.10). A price truly off the tick is
 * left as typed so the field error shows: silently moving a limit is worse.
 */
export function normalisePriceText(text: string, tickSize: number): string {
  const p = parsePrice(text);
  if (Number.isNaN(p) || p <= 0 || !(tickSize > 0) || !isMultipleOf(p, tickSize)) return text;
  return roundToTick(p, tickSize).toFixed(decimalsOf(tickSize));
}
