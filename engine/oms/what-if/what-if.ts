import type { CommandBody, OrdoEvent, Sequenced } from '../../protocol/events.ts';
import { referenceEvents, type ReferenceData } from '../reference.ts';
import type { LimitsFile } from './limits-file.ts';
import { REPLAYABLE, type Decision, type ReplayableComponent } from './components.ts';

/** A decision that differs between the log and the replay. */
export interface DecisionDiff {
  component: string;
  orderId?: number;
  symbol?: string;
  clientId?: string;
  /** Seq of the event the decision answers (an order's OrderPending for risk, its OrderAccepted for the router). */
  seq: number;
  logged: Decision;
  new: Decision;
}

export interface WhatIfOptions {
  /** Replace the session's static data (venues, instruments, clients and their limits) with this. */
  readonly reference?: ReferenceData;
  /** Override limits / restrict symbols (after the opening, and again after any logged change for the client). */
  readonly limits?: LimitsFile;
}

const STATIC = new Set(['VenueAdded', 'InstrumentAdded', 'ClientAdded']);

/** The role of a component instance id (`risk-1` → `risk`). */
export const roleOf = (src: string): string => src.replace(/-\d+$/, '');

/** Two decisions differ in what was decided (the free text, which carries numbers, is not compared). */
function differs(a: Decision, b: Decision): boolean {
  return a.decision !== b.decision || a.code !== b.code || a.venue !== b.venue || a.protectionPrice !== b.protectionPrice;
}

/**
 * What-if replay of one component: plays a recorded session (`events` is
 * read twice: once for the logged decisions, once to replay) through a fresh
 * instance of the component's own logic, with other static data or limits,
 * lets it react to every event as it would live, and yields every decision
 * that differs from the logged one, in log order (decisions the log has and
 * the replay did not make come last, as `new: {decision: 'none'}`). The log
 * replays as recorded: a counterfactual at each decision, not a re-simulation
 * of the venue (docs/decisions/092 and 093).
 */
export function* whatIf(role: string, events: () => Iterable<Sequenced>, opts: WhatIfOptions = {}): Generator<DecisionDiff> {
  const c: ReplayableComponent | undefined = REPLAYABLE.get(role);
  if (c === undefined) throw new Error(`what-if: no replayable component '${role}'`);
  const logged = new Map<string, { decision: Decision; seq: number; orderId?: number; symbol?: string }>();
  const orders = new Map<number, { clientId: string; symbol: string; seq: number }>();
  for (const e of events()) {
    if (roleOf(e.src) !== role) continue;
    const r = c.read(e.event, logged.get(dedupKey(e.event))?.decision);
    if (r) logged.set(r.subject.key, { decision: r.decision, seq: e.seq, ...(r.subject.orderId !== undefined ? { orderId: r.subject.orderId } : {}), ...(r.subject.symbol !== undefined ? { symbol: r.subject.symbol } : {}) });
  }
  const logic = c.make();
  const made = new Map<string, Decision>();
  let session = 0;
  const feed = (e: Sequenced, event: OrdoEvent = e.event): void => logic.apply(session, event === e.event ? e : { ...e, event });
  const overrides = (e: Sequenced, clientId?: string): void => {
    const file = opts.limits;
    if (!file) return;
    for (const [id, l] of Object.entries(file.clients)) if (clientId === undefined || clientId === id) feed(e, { type: 'LimitsChanged', clientId: id, by: 'what-if', ...l });
    if (clientId === undefined) for (const symbol of file.restricted) feed(e, { type: 'RestrictedListChanged', symbol, restricted: true, by: 'what-if', text: '--limits file' });
  };
  const pending: DecisionDiff[] = [];
  let staticDone = false;
  for (const e of events()) {
    const ev = e.event;
    if (ev.type === 'SessionOpened') session = ev.sessionId;
    if (ev.type === 'OrderPending' || ev.type === 'OrderRestored') orders.set(ev.orderId, { clientId: ev.clientId, symbol: ev.symbol, seq: e.seq });
    if (opts.reference && STATIC.has(ev.type)) {
      if (!staticDone) for (const s of referenceEvents(opts.reference)) feed(e, s);
      staticDone = true;
      continue;
    }
    feed(e);
    if (ev.type === 'SessionReady') overrides(e);
    else if (ev.type === 'LimitsChanged') overrides(e, ev.clientId);
    logic.react?.(session, e, {
      send: (body: CommandBody): number => {
        const r = c.read(body as OrdoEvent, undefined);
        if (r === undefined) return 0;
        const now = { ...made.get(r.subject.key), ...r.decision };
        if (r.decision.decision === 'none' && made.get(r.subject.key)) now.decision = made.get(r.subject.key)!.decision;
        made.set(r.subject.key, now);
        const o = r.subject.orderId !== undefined ? orders.get(r.subject.orderId) : undefined;
        pending.push({
          component: role,
          ...(r.subject.orderId !== undefined ? { orderId: r.subject.orderId } : {}),
          ...(o ? { clientId: o.clientId, symbol: o.symbol } : r.subject.symbol !== undefined ? { symbol: r.subject.symbol } : {}),
          seq: e.seq,
          logged: { decision: 'none' },
          new: now,
        });
        return 0;
      },
    });
    // A decision is final once the event that prompted it is done (a collar and an accept come from one reaction).
    for (const d of flush(pending, made, logged)) yield d;
  }
  for (const [key, l] of logged) {
    if (made.has(key)) continue;
    const o = l.orderId !== undefined ? orders.get(l.orderId) : undefined;
    yield {
      component: role,
      ...(l.orderId !== undefined ? { orderId: l.orderId } : {}),
      ...(o ? { clientId: o.clientId, symbol: o.symbol } : l.symbol !== undefined ? { symbol: l.symbol } : {}),
      seq: o?.seq ?? l.seq,
      logged: l.decision,
      new: { decision: 'none' },
    };
  }
}

/** The subject key of a decision event, to merge a collar into its order's decision. */
function dedupKey(ev: OrdoEvent): string {
  return 'orderId' in ev ? `order:${ev.orderId}` : 'symbol' in ev ? `instrument:${ev.symbol}` : '';
}

/** The diffs among this reaction's decisions (one per subject, its final form), then clears `pending`. */
function flush(pending: DecisionDiff[], made: Map<string, Decision>, logged: Map<string, { decision: Decision }>): DecisionDiff[] {
  if (pending.length === 0) return [];
  const seen = new Set<string>();
  const out: DecisionDiff[] = [];
  for (let i = pending.length - 1; i >= 0; i--) {
    const p = pending[i]!;
    const key = p.orderId !== undefined ? `order:${p.orderId}` : `instrument:${p.symbol ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const now = made.get(key)!;
    const was = logged.get(key)?.decision ?? { decision: 'none' };
    if (differs(was, now)) out.unshift({ ...p, logged: was, new: now });
  }
  pending.length = 0;
  return out;
}
