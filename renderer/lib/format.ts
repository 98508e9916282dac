/**
 * Display formatting for the trading screen. Pure functions, cached
 * formatters: blotters call these for every visible cell on every frame.
 */

const qtyFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** Number of decimals a step such as a tick size implies: 0.01 → 2, 0.005 → 3, 1 → 0. */
export function decimalsOf(step: number): number {
  if (!Number.isFinite(step) || step <= 0) return 2;
  for (let d = 0; d <= 10; d++) {
    const scaled = step * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-9 * Math.max(1, scaled)) return d;
  }
  return 10;
}

/** A price with the instrument's decimals; empty for absent or zero (market orders, no fills yet). */
export function formatPrice(price: number | undefined, decimals = 2): string {
  if (price === undefined || price === 0 || !Number.isFinite(price)) return '';
  return price.toFixed(decimals);
}

/**
 * An order's own price: the instrument's decimals, more where the price has them (up to 10). An order off the tick
 * (sent by a script, then rejected PRICE_OFF_TICK) showed rounded: 228.125 as "228.13", 228.123456789 as "228.12",
 * a price the trader never sent (round 19, outside; decision 302). Fills and quotes are on the tick: formatPrice.
 */
export function formatOrderPrice(price: number | undefined, decimals = 2): string {
  if (price === undefined || price === 0 || !Number.isFinite(price)) return '';
  for (let d = decimals; d < 10; d++) {
    const s = price.toFixed(d);
    if (Number(s) === price) return s;
  }
  return price.toFixed(10);
}

/**
 * A whole number with thousands separators, as `qtyFormat` writes it, without
 * Intl: blotter cells format thousands of numbers a second under a stream and
 * Intl's format was a visible share of the renderer's script time (decision 151).
 */
function grouped(n: number): string {
  const r = Math.round(n);
  if (!Number.isSafeInteger(r)) return qtyFormat.format(n);
  // -0 and values that round to 0 print as "0" (as Intl does for maximumFractionDigits 0, bar "-0").
  const s = String(Math.abs(r));
  if (s.length <= 3) return r < 0 ? `-${s}` : s;
  let out = s.slice(0, s.length % 3 || 3);
  for (let i = out.length; i < s.length; i += 3) out += `,${s.slice(i, i + 3)}`;
  return r < 0 ? `-${out}` : out;
}

/** A quantity with thousands separators. */
export function formatQty(qty: number | undefined): string {
  if (qty === undefined || !Number.isFinite(qty)) return '';
  return grouped(qty);
}

/** An integer count (seq, ids) with thousands separators. */
export function formatInt(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '';
  return grouped(n);
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/**
 * Sequencer time (µs since epoch) as HH:MM:SS.mmm in the zone whose offset
 * `Date.prototype.getTimezoneOffset()` reports (minutes, UTC − local).
 */
export function formatTime(tsMicros: number, tzOffsetMinutes = 0): string {
  if (!Number.isFinite(tsMicros) || tsMicros <= 0) return '';
  const ms = Math.floor(tsMicros / 1000) - tzOffsetMinutes * 60_000;
  const dayMs = ((ms % 86_400_000) + 86_400_000) % 86_400_000;
  const h = Math.floor(dayMs / 3_600_000);
  const m = Math.floor(dayMs / 60_000) % 60;
  const s = Math.floor(dayMs / 1000) % 60;
  return `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}.${pad(dayMs % 1000, 3)}`;
}

/** A short age such as `850ms`, `2.4s`, `3m 05s`. */
export function formatAge(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const totalS = Math.floor(ms / 1000);
  if (totalS < 3600) return `${Math.floor(totalS / 60)}m ${pad(totalS % 60, 2)}s`;
  return `${Math.floor(totalS / 3600)}h ${pad(Math.floor(totalS / 60) % 60, 2)}m`;
}

/** Events per second, compact: `950/s`, `12.5k/s`, `1.20M/s`. */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond < 0) return '';
  if (perSecond < 1000) return `${Math.round(perSecond)}/s`;
  if (perSecond < 1_000_000) return `${(perSecond / 1000).toFixed(1)}k/s`;
  return `${(perSecond / 1_000_000).toFixed(2)}M/s`;
}

/** Short labels where the plain name would not fit a badge; any other state shows as its name. */
const STATE_LABELS: Readonly<Record<string, string>> = {
  partially_filled: 'PARTIAL',
  caught_up: 'CAUGHT UP',
  pending_new: 'PENDING',
  pending_cancel: 'CXL PEND',
  pending_replace: 'RPL PEND',
};

/**
 * Order and lifecycle states as shown: `partially_filled` → `PARTIAL`. Data
 * driven, so a state added to the domain later shows as its own upper-cased
 * name (underscores as spaces) rather than nothing.
 */
export function stateLabel(state: string): string {
  return STATE_LABELS[state] ?? state.replaceAll('_', ' ').toUpperCase();
}

/** What a parked order's badge says when hovered (decision 075: off the venue between sessions). */
export const PARKED_HINT = 'parked — re-enters at open';

/** An order's state badge: a parked order shows PARKED, not PENDING (its API state stays pending_new). */
export function orderStateLabel(o: { readonly state: string; readonly parked?: boolean }): string {
  return o.parked === true ? 'PARKED' : stateLabel(o.state);
}

/** An average price: two more decimals than the tick's, trailing zeros beyond the tick's dropped. */
export function formatAvgPrice(price: number | undefined, decimals = 2): string {
  if (price === undefined || price === 0 || !Number.isFinite(price)) return '';
  const s = price.toFixed(Math.min(decimals + 2, 8));
  const dot = s.indexOf('.');
  if (dot < 0) return s;
  let end = s.length;
  while (end > dot + 1 + decimals && s[end - 1] === '0') end--;
  return s.slice(0, end === dot + 1 ? dot : end);
}
