import type { FilterableOrder } from './order-window.ts';

/**
 * The blotter's free-text filter (matchesOrderText) compiled once per query,
 * with no string made per order (decision 231). matchesOrderText builds each
 * order's text (`"<ClOrdID> <client> <symbol> <state> <side> <venue> <reason>"`),
 * lower-cases it and searches it, and turns the order id into a string: at
 * 1.2 M orders that is a few hundred MB of short-lived strings, and the
 * collections it causes were the longest pause of a text search on the
 * host's loop (issue #11). Here the fields are fed, character by character,
 * to an automaton that recognises the needle (Knuth-Morris-Pratt, as a
 * table over ASCII) with A-Z folded to a-z — what toLowerCase does to ASCII
 * text — and the id is compared as a number. The answer is always the same
 * as matchesOrderText's: an order with a non-ASCII character in a field the
 * automaton reaches before a match (toLowerCase may change such a character
 * into ASCII or into two characters) is handed to matchesOrderText itself.
 */

/** Longest needle compiled to a table (128 entries per character); a longer one is searched as before. */
const MAX_TABLE_NEEDLE = 256;
/** Id needles of up to 15 digits are exact as numbers; a 16-digit one is compared as text. */
const ID_DIGITS = /^(0|[1-9][0-9]{0,14})$/;

/** matchesOrderText(o, needle) for every `o`, as one predicate (`needle` lower-cased and trimmed, as there). */
export function orderTextMatcher(needle: string, reference: (o: FilterableOrder, needle: string) => boolean): (o: FilterableOrder) => boolean {
  if (needle === '') return () => true;
  const idText = needle.replace(/^#/, '');
  // String(orderId) is the id's decimal digits with no sign, no leading zero (order ids are safe integers).
  const idNumber = ID_DIGITS.test(idText) ? Number(idText) : -1;
  const idAsText = idNumber < 0 && /^[1-9][0-9]{15}$/.test(idText);
  const m = needle.length;
  if (m > MAX_TABLE_NEEDLE) return (o) => reference(o, needle);
  const next = needleTable(needle);
  let state = 0;
  // -1: a non-ASCII character was met (the reference decides); 1: matched; 0: not yet.
  const feed = (s: string | undefined): number => {
    if (s === undefined) return 0;
    const n = s.length;
    let q = state;
    for (let i = 0; i < n; i++) {
      let c = s.charCodeAt(i);
      if (c >= 0x80) return -1;
      if (c >= 65 && c <= 90) c |= 32;
      q = next[q * 128 + c]!;
      if (q === m) return 1;
    }
    state = q;
    return 0;
  };
  const space = (): number => {
    state = next[state * 128 + 32]!;
    return state === m ? 1 : 0;
  };
  return (o) => {
    if (idNumber >= 0 ? o.orderId === idNumber : idAsText && String(o.orderId) === idText) return true;
    state = 0;
    let r = feed(o.clientOrderId);
    if (r === 0) r = space() || feed(o.clientId);
    if (r === 0) r = space() || feed(o.symbol);
    if (r === 0) r = space() || feed(o.state);
    if (r === 0) r = space() || feed(o.side);
    if (r === 0) r = space() || feed(o.venue);
    if (r === 0) r = space() || feed(o.rejectReason);
    return r === 1 || (r === -1 && reference(o, needle));
  };
}

/**
 * The needle's automaton: row q (characters of the needle matched so far) ×
 * 128 ASCII codes → the next q; q = needle.length is a match. A needle
 * character outside ASCII is never matched by ASCII text, so no row passes it.
 */
function needleTable(needle: string): Uint16Array {
  const m = needle.length;
  const next = new Uint16Array(m * 128);
  // Standard KMP automaton: row q copies the row of the longest proper border x, then sets needle[q]'s entry.
  let x = 0;
  for (let q = 0; q < m; q++) {
    const c = needle.charCodeAt(q);
    if (q === 0) {
      if (c < 128) next[c] = 1;
      continue;
    }
    next.copyWithin(q * 128, x * 128, x * 128 + 128);
    if (c < 128) {
      next[q * 128 + c] = q + 1;
      x = next[x * 128 + c]!;
    } else x = 0;
  }
  return next;
}
