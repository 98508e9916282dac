import type { Sequenced } from '../../protocol/events.ts';
import { Reason } from '../../protocol/reasons.ts';
import type { RiskState } from './risk-state.ts';

/**
 * Why an order of this client and instrument must not go to the venue now:
 * KILL_SWITCH while the client (or the firm) is halted, INSTRUMENT_EXPIRY once
 * the instrument expired; undefined when it may go.
 */
export function blockedReason(rs: RiskState, clientId: string, symbol: string): number | undefined {
  if (rs.haltOf(clientId) !== undefined) return Reason.KILL_SWITCH;
  if (rs.expiredSymbols().has(symbol)) return Reason.INSTRUMENT_EXPIRY;
  return undefined;
}

/**
 * The live orders a sequenced event tells the gateway to take off the venue
 * (ascending ids) with the cancel reason: every live order of the halted
 * client (all orders for a firm-wide halt), or of the expired instrument.
 * Empty for any other event. Call after `rs` applied the event.
 */
export function cancelsFor(e: Sequenced, rs: RiskState): { orderIds: number[]; reason: number } {
  const ev = e.event;
  if (ev.type === 'TradingHalted') return { orderIds: rs.liveOrderIds(ev.clientId), reason: Reason.KILL_SWITCH };
  if (ev.type === 'InstrumentExpired') return { orderIds: rs.liveOrderIds(undefined, ev.symbol), reason: Reason.INSTRUMENT_EXPIRY };
  return { orderIds: [], reason: 0 };
}
