import type { InstrumentType } from '../../contract/domain.ts';
import { Reason, type ReasonCode } from '../protocol/reasons.ts';
import type { InstrumentInfo } from './projection.ts';
import { isOnStep, STEP_TOLERANCE } from '../../contract/ticks.ts';

/**
 * Price and quantity rules shared by the risk check (new orders) and the
 * trader request rules (replace). Pure functions of their arguments.
 */

/** Why a request is refused: a reason code and one line for a human. */
export interface Refusal {
  readonly reason: ReasonCode;
  readonly text: string;
}

/** Limits that are policy rather than static data. */
export interface RiskConfig {
  /**
   * Largest allowed relative distance of a limit price from the instrument's
   * reference price, per instrument type (0.10 = ±10%). Both ends included.
   */
  readonly priceBands: Readonly<Record<InstrumentType, number>>;
  /**
   * Market orders' collar per instrument type: the protection price is the
   * reference (mark) price ± this fraction, rounded inward to the tick; the
   * venue will not fill a market order beyond it. Optional for old configs.
   */
  readonly collarBands?: Readonly<Record<InstrumentType, number>>;
  /** The active risk sequences ReferencePriceMoved when the last trade moved this fraction from the mark. */
  readonly markMoveFraction?: number;
}

/**
 * ±10% for equities (the width of the US limit-up/limit-down band for most
 * stocks), ±50% for options, whose premiums move far more in relative terms.
 * See docs/decisions/020-oms-domain.md.
 */
export const DEFAULT_RISK_CONFIG: RiskConfig = Object.freeze({
  priceBands: Object.freeze({ equity: 0.1, option: 0.5 }),
  collarBands: Object.freeze({ equity: 0.05, option: 0.25 }),
  markMoveFraction: 0.01,
});

/** How far price/tick may be from a whole number and still count as on the tick (the UI's rule too). */
export const TICK_TOLERANCE = STEP_TOLERANCE;

/** True when `price` is a whole number of ticks (within TICK_TOLERANCE ticks): contract/ticks.ts. */
export function isOnTick(price: number, tickSize: number): boolean {
  return isOnStep(price, tickSize);
}

/** A money amount for messages: fixed two decimals, no locale (deterministic). */
export function money(n: number): string {
  return n.toFixed(2);
}

export function refuse(reason: ReasonCode, text: string): Refusal {
  return { reason, text };
}

/** Decimal places needed to show multiples of `tick` (0.01 → 2, 0.05 → 2, 1 → 0). */
export function decimals(tick: number): number {
  for (let d = 0; d < 10; d++) {
    const scaled = tick * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-9) return d;
  }
  return 10;
}

/** Quantity must be a whole, positive multiple of the instrument's lot. */
export function checkQuantity(quantity: number, lotSize: number): Refusal | null {
  if (!Number.isSafeInteger(quantity) || quantity <= 0) {
    return refuse(Reason.BAD_QUANTITY, `quantity ${quantity} must be a whole number > 0`);
  }
  if (lotSize > 0 && quantity % lotSize !== 0) {
    return refuse(Reason.BAD_QUANTITY, `quantity ${quantity} is not a multiple of lot ${lotSize}`);
  }
  return null;
}

/**
 * A limit price must be finite and > 0, a whole number of ticks, and within
 * the configured band around the reference price (skipped when the
 * instrument has no reference price). `referencePrice`: the instrument's
 * unless given (risk passes its moving mark).
 */
export function checkLimitPrice(price: number, inst: InstrumentInfo, config: RiskConfig, referencePrice: number = inst.referencePrice): Refusal | null {
  if (!Number.isFinite(price) || price <= 0) {
    return refuse(Reason.BAD_PRICE, `limit price ${price} must be > 0`);
  }
  if (!isOnTick(price, inst.tickSize)) {
    return refuse(Reason.PRICE_OFF_TICK, `price ${price} is not a multiple of tick ${inst.tickSize}`);
  }
  const ref = referencePrice;
  const band = config.priceBands[inst.instrumentType];
  if (ref > 0 && band !== undefined) {
    // In whole ticks: the band's edges rounded inward to the tick, so the
    // message shows the real first and last allowed prices.
    const tick = inst.tickSize;
    const lo = Math.ceil((ref * (1 - band)) / tick - TICK_TOLERANCE);
    const hi = Math.floor((ref * (1 + band)) / tick + TICK_TOLERANCE);
    const ticks = Math.round(price / tick);
    if (ticks < lo || ticks > hi) {
      const pct = Math.round(band * 1000) / 10;
      const digits = decimals(tick);
      return refuse(
        Reason.PRICE_OUT_OF_BAND,
        `price ${price} is outside ±${pct}% of reference ${ref} (${(lo * tick).toFixed(digits)} to ${(hi * tick).toFixed(digits)})`,
      );
    }
  }
  return null;
}
