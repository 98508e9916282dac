import { z } from 'zod';
import type { OrdoEvent } from '../../protocol/events.ts';
import { LIMIT_FIELDS, type Limits } from './limits.ts';
import type { RiskState } from './risk-state.ts';

/**
 * What risk carries from one session into the next, inside the session
 * snapshot (field `risk`). Positions are not orders: a position is a
 * client × instrument balance (quantity, average cost, realised P&L since it
 * was opened), so it is carried as numbers, not as an entity with a
 * lifecycle, and the next session restores it with PositionRestored events
 * right after the static data and the carried orders. Runtime limit changes,
 * the restricted list, halts and marks carry too (a halt must survive a
 * session roll); executed notional (credit) starts at 0 each session.
 * See docs/decisions/090-risk-state-and-positions.md.
 */
export interface RiskSnapshot {
  positions: { clientId: string; symbol: string; quantity: number; avgCost: number; realizedPnl: number }[];
  limits: ({ clientId: string } & Limits)[];
  restricted: { symbol: string; by: string; text: string }[];
  halts: { clientId: string; by: string; text: string }[];
  marks: { symbol: string; price: number }[];
}

/** Risk's part of the snapshot, as `rs` stands (positions with a quantity or realised P&L, sorted). */
export function takeRiskSnapshot(rs: RiskState): RiskSnapshot {
  const positions: RiskSnapshot['positions'] = [];
  for (const h of rs.holdings()) {
    const p = h.position;
    const toDate = p.priorRealizedPnl + p.realizedPnl;
    if (p.quantity === 0 && toDate === 0) continue;
    // realizedPnl carries to date (prior days + today); the next session shows it as prior, today's restarts at 0.
    positions.push({ clientId: p.clientId, symbol: p.symbol, quantity: p.quantity, avgCost: p.avgCost, realizedPnl: toDate });
  }
  positions.sort((a, b) => (a.clientId === b.clientId ? cmp(a.symbol, b.symbol) : cmp(a.clientId, b.clientId)));
  const limits = rs.runtimeLimits().map((l) => ({ clientId: l.clientId, ...l.limits })).sort((a, b) => cmp(a.clientId, b.clientId));
  const restricted = [...rs.restrictedList()].map(([symbol, s]) => ({ symbol, by: s.by, text: s.text })).sort((a, b) => cmp(a.symbol, b.symbol));
  const halts: RiskSnapshot['halts'] = [];
  if (rs.firmHalt) halts.push({ clientId: '', by: rs.firmHalt.by, text: rs.firmHalt.text });
  for (const c of rs.clients()) if (c.halt) halts.push({ clientId: c.clientId, by: c.halt.by, text: c.halt.text });
  halts.sort((a, b) => cmp(a.clientId, b.clientId));
  const marks = [...rs.movedMarks()].map(([symbol, price]) => ({ symbol, price })).sort((a, b) => cmp(a.symbol, b.symbol));
  return { positions, limits, restricted, halts, marks };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The events that restore risk's snapshot, marked by 'snapshot'. */
export function riskRestoreEvents(s: RiskSnapshot | undefined): OrdoEvent[] {
  if (s === undefined) return [];
  const out: OrdoEvent[] = [];
  for (const m of s.marks) out.push({ type: 'ReferencePriceMoved', symbol: m.symbol, price: m.price });
  for (const l of s.limits) out.push({ type: 'LimitsChanged', by: 'snapshot', ...l });
  for (const r of s.restricted) out.push({ type: 'RestrictedListChanged', symbol: r.symbol, restricted: true, by: r.by, text: r.text });
  for (const h of s.halts) out.push({ type: 'TradingHalted', clientId: h.clientId, by: h.by, text: h.text });
  for (const p of s.positions) out.push({ type: 'PositionRestored', ...p });
  return out;
}

const num = z.number().refine(Number.isFinite, 'must be a finite number');
const limitShape = Object.fromEntries(LIMIT_FIELDS.map((f) => [f, f === 'requireLocate' ? z.boolean().optional() : z.number().min(0).optional()]));

/** The zod schema of RiskSnapshot (the session snapshot's optional `risk` field). */
export const riskSnapshotSchema = z.strictObject({
  positions: z.array(z.strictObject({ clientId: z.string(), symbol: z.string(), quantity: num, avgCost: num, realizedPnl: num })),
  limits: z.array(z.strictObject({ clientId: z.string(), ...limitShape })),
  restricted: z.array(z.strictObject({ symbol: z.string(), by: z.string(), text: z.string() })),
  halts: z.array(z.strictObject({ clientId: z.string(), by: z.string(), text: z.string() })),
  marks: z.array(z.strictObject({ symbol: z.string(), price: num })),
});
