/**
 * Risk's part of the API contract (issue 12): positions, limits, the
 * restricted list and the kill switch. Plain types, no runtime imports.
 * Money is in the instrument's currency with the contract multiplier applied.
 */

/** One client × instrument position. */
export interface PositionView {
  clientId: string;
  symbol: string;
  /** Signed: < 0 short. */
  quantity: number;
  /** Average cost per unit of the open quantity (0 when flat). */
  avgCost: number;
  /** Realised today: since this session (trading day) opened. A carried position keeps its cost. */
  realizedPnl: number;
  /** Realised since the position was opened: earlier days plus today (optional: hosts before round 3 lack it). */
  realizedPnlToDate?: number;
  /** quantity × (lastPrice − avgCost) × multiplier. */
  unrealizedPnl: number;
  /** The venue's last trade where the host has one, else risk's sequenced mark. */
  lastPrice: number;
  /** Signed market value (net exposure): quantity × lastPrice × multiplier. */
  notional: number;
  /** |notional| (gross exposure). */
  grossNotional: number;
  multiplier: number;
  currency: string;
}

/** A client's limits; an absent one does not apply (see docs/api.md). */
export interface ClientLimits {
  maxOrderQuantity?: number;
  maxOrderNotional?: number;
  /** Credit: open plus executed notional of the session. */
  maxOpenNotional?: number;
  maxGrossPosition?: number;
  maxNetPosition?: number;
  requireLocate?: boolean;
  duplicateWindowMs?: number;
}

/** A change of limits (only the fields given change), and who asks for it. */
export type LimitsChange = ClientLimits & { by?: string };

/** Who halts / resumes, and why (both optional: `by` defaults to "api"). */
export interface HaltRequest {
  by?: string;
  reason?: string;
}

/** Add a symbol to the restricted list (`restricted: true`) or take it off. */
export interface RestrictRequest {
  restricted: boolean;
  by?: string;
  reason?: string;
}

/** Who did something, when (sequencer µs) and at which seq. */
export interface RiskStamp {
  by: string;
  text: string;
  seq: number;
  ts: number;
}

export interface ClientRiskView {
  clientId: string;
  limits: ClientLimits;
  openNotional: number;
  executedNotional: number;
  halt: RiskStamp | null;
}

/** Risk's settings and usage. */
export interface RiskView {
  firmHalt: RiskStamp | null;
  clients: ClientRiskView[];
  restricted: (RiskStamp & { symbol: string })[];
  expired: string[];
}
