/** Event types after which positions and P&L change (beyond fills, which the store's fills table shows). */
export const POSITION_EVENTS: ReadonlySet<string> = new Set(['OrderExecuted', 'PositionRestored', 'ReferencePriceMoved', 'InstrumentExpired', 'OptionExercised', 'SessionOpened', 'SessionReady']);

/** Event types after which halts, limits, the restricted list or a client's open / executed notional change. */
export const CONTROL_EVENTS: ReadonlySet<string> = new Set([
  'TradingHalted', 'TradingResumed', 'LimitsChanged', 'RestrictedListChanged', 'ClientAdded', 'SessionOpened', 'SessionReady',
  'OrderPending', 'OrderRejected', 'MarketOrderCollared', 'OrderExecuted', 'OrderCancelled', 'OrderExpired', 'OrderReplaced', 'VenueRejected', 'CancelRequested', 'ReplaceRequested',
]);
