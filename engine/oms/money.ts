/**
 * Exact money arithmetic for order prices and fills. Prices live on the
 * instrument's tick grid; sums of fills are kept in integer ticks × quantity
 * (exact up to 2^53), so an average price never carries float noise such as
 * 228.41199999999998: it is computed from integers and rounded once, to
 * AVG_PRICE_DECIMALS, for display and the API.
 */
import { STEP_TOLERANCE, tickDecimals } from '../../contract/ticks.ts';

/** Fill values are kept in integer units of 1/VALUE_SCALE of the quote currency (the unit of open notional too). */
export const VALUE_SCALE = 10_000;

/** Decimals an average price is rounded to (prices themselves are on the tick grid). */
export const AVG_PRICE_DECIMALS = 6;
/** 10^AVG_PRICE_DECIMALS: an average price is a whole number of 1/AVG_SCALE. */
export const AVG_SCALE = 10 ** AVG_PRICE_DECIMALS;
/** AVG_SCALE / VALUE_SCALE: value units × this / quantity = the average in 1/AVG_SCALE. */
export const AVG_PER_UNIT = AVG_SCALE / VALUE_SCALE;


/** Whole ticks of `price`, or undefined when it is not within float noise of the grid (contract/ticks.ts: the one tolerance). */
export function priceTicks(price: number, tickSize: number): number | undefined {
  const t = price / tickSize;
  const r = Math.round(t);
  return Math.abs(t - r) < STEP_TOLERANCE ? r : undefined;
}

/** ticks × tickSize as the shortest decimal (18925 × 0.01 → 189.25, never 189.25000000000003). */
export function ticksToPrice(ticks: number, tickSize: number): number {
  const d = tickDecimals(tickSize);
  const scale = 10 ** d;
  return (ticks * Math.round(tickSize * scale)) / scale;
}

/**
 * The price snapped to the tick grid when it is off only by float noise
 * (228.1000000001 → 228.1); any other price is returned as given (the risk
 * check then refuses it as PRICE_OFF_TICK). See docs/decisions/072.
 */
export function normalisePrice(price: number, tickSize: number | undefined): number {
  if (tickSize === undefined || !(tickSize > 0) || !Number.isFinite(price)) return price;
  const t = priceTicks(price, tickSize);
  return t === undefined || t === 0 ? price : ticksToPrice(t, tickSize);
}

/** An average price from an exact sum of quantity × price in units of 1/VALUE_SCALE, rounded to AVG_PRICE_DECIMALS. */
export function averagePrice(valueUnits: number, quantity: number): number {
  if (quantity <= 0) return 0;
  return Math.round((valueUnits * AVG_PER_UNIT) / quantity) / AVG_SCALE;
}
