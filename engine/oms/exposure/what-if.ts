import type { OrdoEvent, Sequenced } from '../../protocol/events.ts';
import { reasonName } from '../../protocol/reasons.ts';
import { DEFAULT_RISK_CONFIG, type RiskConfig } from '../checks.ts';
import { OmsProjection } from '../projection.ts';
import { referenceEvents, type ReferenceData } from '../reference.ts';
import { decideOrder } from '../risk.ts';
import { ValidationError } from '../validation.ts';
import { parseLimits, type Limits } from './limits.ts';
import { RiskState } from './risk-state.ts';

/** A `--limits` file: limits per client (the fields given override) and symbols to restrict. */
export interface LimitsFile {
  clients: Record<string, Limits>;
  restricted: string[];
}

/** Validates a parsed `--limits` file; throws a ValidationError naming the file and field. */
export function parseLimitsFile(json: unknown, sourceName: string): LimitsFile {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ValidationError(`${sourceName}: must be an object {"clients": {...}, "restricted": [...]}`);
  const { clients = {}, restricted = [], ...rest } = json as Record<string, unknown>;
  const extra = Object.keys(rest)[0];
  if (extra !== undefined) throw new ValidationError(`${sourceName}: ${extra}: unknown field (clients, restricted)`);
  if (typeof clients !== 'object' || clients === null || Array.isArray(clients)) throw new ValidationError(`${sourceName}: clients: must be an object of clientId → limits`);
  const out: LimitsFile = { clients: {}, restricted: [] };
  for (const [id, l] of Object.entries(clients as Record<string, unknown>)) {
    const parsed = parseLimits(l, `clients.${id}`);
    if (typeof parsed === 'string') throw new ValidationError(`${sourceName}: ${parsed}`);
    out.clients[id] = parsed;
  }
  if (!Array.isArray(restricted) || restricted.some((s) => typeof s !== 'string')) throw new ValidationError(`${sourceName}: restricted: must be a list of symbols`);
  out.restricted = restricted as string[];
  return out;
}

/** One decision as the log holds it or the replay makes it. */
export interface Decision {
  decision: 'accepted' | 'rejected' | 'none';
  reason?: string;
  code?: number;
  text?: string;
}

/** A decision that differs between the log and the replay. */
export interface DecisionDiff {
  orderId: number;
  /** Seq of the order's OrderPending (or OrderRestored) in the session. */
  seq: number;
  clientId: string;
  symbol: string;
  logged: Decision;
  new: Decision;
}

export interface WhatIfOptions {
  /** Replace the session's static data (instruments, clients and their limits) with this. */
  readonly reference?: ReferenceData;
  /** Override limits / restrict symbols (after the opening, and again after any logged change for the client). */
  readonly limits?: LimitsFile;
  readonly config?: RiskConfig;
}

const STATIC = new Set(['VenueAdded', 'InstrumentAdded', 'ClientAdded']);

/**
 * What-if replay of risk: plays a recorded session (`events` read twice:
 * once for the logged decisions, once to replay) through a fresh risk
 * projection with other static data or limits, deciding every pending order
 * as the risk component would at that point of the log, and yields every
 * decision that differs from the logged one (accept vs reject, or another
 * reason). The rest of the log is replayed as recorded: a counterfactual at
 * the decision, not a re-simulation of the venue (docs/decisions/092).
 */
export function* whatIfRisk(events: () => Iterable<Sequenced>, opts: WhatIfOptions = {}): Generator<DecisionDiff> {
  const logged = new Map<number, Decision>();
  for (const e of events()) {
    const ev = e.event;
    if (ev.type === 'OrderAccepted' && !logged.has(ev.orderId)) logged.set(ev.orderId, { decision: 'accepted' });
    if (ev.type === 'OrderRejected' && !logged.has(ev.orderId)) logged.set(ev.orderId, { decision: 'rejected', reason: reasonName(ev.reason), code: ev.reason, text: ev.text });
  }
  const p = new OmsProjection();
  const rs = new RiskState();
  const config = opts.config ?? DEFAULT_RISK_CONFIG;
  const apply = (e: Sequenced, event: OrdoEvent = e.event): void => {
    const s: Sequenced = event === e.event ? e : { ...e, event };
    p.apply(s);
    rs.apply(s);
  };
  const overrides = (e: Sequenced, clientId?: string): void => {
    const file = opts.limits;
    if (!file) return;
    for (const [id, l] of Object.entries(file.clients)) if (clientId === undefined || clientId === id) apply(e, { type: 'LimitsChanged', clientId: id, by: 'what-if', ...l });
    if (clientId === undefined) for (const symbol of file.restricted) apply(e, { type: 'RestrictedListChanged', symbol, restricted: true, by: 'what-if', text: '--limits file' });
  };
  let staticDone = false;
  for (const e of events()) {
    const ev = e.event;
    if (opts.reference && STATIC.has(ev.type)) {
      if (!staticDone) for (const s of referenceEvents(opts.reference)) apply(e, s);
      staticDone = true;
      continue;
    }
    apply(e);
    if (ev.type === 'SessionReady') overrides(e);
    else if (ev.type === 'LimitsChanged') overrides(e, ev.clientId);
    if (ev.type !== 'OrderPending' && !(ev.type === 'OrderRestored' && ev.state === 'pending')) continue;
    const order = p.order(ev.orderId);
    if (order === undefined || order.stage !== 'pending') continue;
    const flags = rs.flags(ev.orderId);
    const d = decideOrder(
      {
        orderId: ev.orderId, clientId: ev.clientId, clientOrderId: ev.clientOrderId, symbol: ev.symbol, side: ev.side, orderType: ev.orderType,
        timeInForce: ev.timeInForce, quantity: ev.quantity, price: ev.price, locate: flags.locate, intentional: flags.intentional,
      },
      p,
      rs,
      config,
      e.ts,
    );
    const now: Decision = d.refusal ? { decision: 'rejected', reason: reasonName(d.refusal.reason), code: d.refusal.reason, text: d.refusal.text } : { decision: 'accepted' };
    const was = logged.get(ev.orderId) ?? { decision: 'none' };
    if (was.decision !== now.decision || was.code !== now.code) {
      yield { orderId: ev.orderId, seq: e.seq, clientId: ev.clientId, symbol: ev.symbol, logged: was, new: now };
    }
  }
}
