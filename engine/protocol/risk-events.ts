import type { MessageDef } from './schema.ts';

/**
 * Risk's events (codes 70-89, issue 12). Every limit change, restricted-list
 * change, halt and resume names who asked for it (`by`); the sequencer's
 * timestamp says when. A clientId of '' means firm-wide.
 */
export const RISK_EVENT_DEFS = {
  /**
   * Per-client limits, changed at runtime (or set from the reference file,
   * by 'reference'). Only the fields present change. Notional limits are
   * money (quantity × price × multiplier); quantities are whole units.
   * maxOpenNotional is the credit limit: open plus executed notional of the session.
   */
  LimitsChanged: {
    code: 70,
    fields: {
      clientId: 'str',
      by: 'str',
      maxOrderQuantity: 'f64?',
      maxOrderNotional: 'f64?',
      maxOpenNotional: 'f64?',
      /** Per instrument: (|position| + every open order) × price × multiplier. */
      maxGrossPosition: 'f64?',
      /** Per instrument: the largest |position| the open orders could leave, × price × multiplier. */
      maxNetPosition: 'f64?',
      /** Short-sale check: selling more than the long position needs a locate (default on). */
      requireLocate: 'bool?',
      /** Duplicate-order check window in ms (default 2000; 0 turns the check off). */
      duplicateWindowMs: 'f64?',
    },
  },
  /** Firm-wide restricted list: `restricted` true adds the symbol, false removes it. */
  RestrictedListChanged: { code: 71, fields: { symbol: 'str', restricted: 'bool', by: 'str', text: 'str' } },
  /** Kill switch: every live order of the client ('' = all) is cancelled at the venue; new ones are refused. */
  TradingHalted: { code: 72, fields: { clientId: 'str', by: 'str', text: 'str' } },
  /** Lifts a halt of the client ('' = the firm-wide halt). */
  TradingResumed: { code: 73, fields: { clientId: 'str', by: 'str' } },
  /** The market moved: risk's reference price (bands, collars, marks) is now `price`. */
  ReferencePriceMoved: { code: 74, fields: { symbol: 'str', price: 'f64' } },
  /** The instrument expired: live orders are cancelled, new ones refused. */
  InstrumentExpired: { code: 75, fields: { symbol: 'str' } },
  /** Risk's protection price for a market order, sent before its OrderAccepted; the venue will not trade through it. */
  MarketOrderCollared: { code: 76, fields: { orderId: 'uint', protectionPrice: 'f64' } },
  /** A position carried from the previous session's snapshot (quantity signed: < 0 short). */
  PositionRestored: {
    code: 77,
    fields: { clientId: 'str', symbol: 'str', quantity: 'f64', avgCost: 'f64', realizedPnl: 'f64' },
  },
} as const satisfies Record<string, MessageDef>;
