import type { AlertView, EventLine, FillView, OrderView, StateUpdate } from '../../contract/api.ts';
import { formatQty } from '../lib/format.ts';

export type ToastKind = 'fill' | 'reject' | 'cancel-reject' | 'alert';

export interface Toast {
  id: number;
  kind: ToastKind;
  title: string;
  body: string;
  orderId?: number;
  /** Fills it stands for: how many, and their total quantity (count > 1: a running summary while fills stream in). */
  fills?: { count: number; quantity: number };
  /** Rejects it stands for, and one of them as an example (count > 1: a running summary while rejects stream in). */
  rejects?: { count: number; example: string };
  /** Local epoch ms it was raised. */
  at: number;
}

/** What a notification needs to know of the state before the frame's updates. */
export interface NotifyBefore {
  knownFill(execId: number): boolean;
  orderState(orderId: number): string | undefined;
  alertKeys: ReadonlySet<string>;
  /**
   * The seq of the last reset (the state a page load or reconnect showed, 0 if none in this session): a fill
   * or a reject at or below it is not news, even when it reaches the store again after the reset (a reload
   * raised "30 fills" and "64 orders rejected" for what had happened before it).
   */
  seenUpTo: number;
}

export const alertKey = (a: AlertView): string => `${a.seq}:${a.instance}:${a.kind}`;

/** A price with at least two decimals (3.3 → 3.30), more when it has them. */
function priceText(p: number): string {
  return Number.isInteger(p * 100) ? p.toFixed(2) : String(p);
}

/** Whether the order's last event is at or below `seq` (an order with no event seqs is taken as news). */
function seenBefore(o: OrderView, seq: number): boolean {
  const last = o.eventSeqs.length > 0 ? o.eventSeqs[o.eventSeqs.length - 1]! : undefined;
  return last !== undefined && last <= seq;
}

/** Above this many fills in one frame, one summary toast instead of one each (a sweep fills dozens at once). */
const FILL_SUMMARY_OVER = 3;

/**
 * The toasts one frame of pushes deserves: new fills, orders that became
 * rejected, cancel and replace rejects, new alerts. A `reset` (connect,
 * reload) raises none: the trader did not miss those, they were there.
 */
export function notificationsFor(updates: readonly StateUpdate[], before: NotifyBefore, orderOf: (id: number) => OrderView | undefined): Omit<Toast, 'id' | 'at'>[] {
  const out: Omit<Toast, 'id' | 'at'>[] = [];
  const fills: FillView[] = [];
  const seenFill = new Set<number>();
  const rejected = new Map<number, OrderView>();
  const alerts: AlertView[] = [];
  const events: EventLine[] = [];
  for (const u of updates) {
    if (u.reset) {
      fills.length = 0;
      rejected.clear();
      alerts.length = 0;
      events.length = 0;
      continue;
    }
    for (const f of u.fills ?? []) if (f.seq > before.seenUpTo && !before.knownFill(f.execId) && !seenFill.has(f.execId)) {
      seenFill.add(f.execId);
      fills.push(f);
    }
    for (const o of u.orders ?? []) if (o.state === 'rejected' && before.orderState(o.orderId) !== 'rejected' && !seenBefore(o, before.seenUpTo)) rejected.set(o.orderId, o);
    for (const a of u.alerts ?? []) if (!before.alertKeys.has(alertKey(a))) alerts.push(a);
    for (const e of u.events ?? []) if (e.type === 'CancelRejected' || e.type === 'ReplaceRejected') events.push(e);
  }
  if (fills.length > FILL_SUMMARY_OVER) {
    let qty = 0;
    for (const f of fills) qty += f.quantity;
    out.push({ kind: 'fill', title: `${fills.length} fills`, body: `${formatQty(qty)} in total`, fills: { count: fills.length, quantity: qty } });
  } else {
    for (const f of fills) {
      const o = orderOf(f.orderId);
      const done = o && o.leavesQuantity === 0 ? 'Filled' : 'Partial fill';
      out.push({ kind: 'fill', orderId: f.orderId, title: `${done} #${f.orderId}`, body: `${f.side.toUpperCase()} ${formatQty(f.quantity)} ${f.symbol} @ ${priceText(f.price)}`, fills: { count: 1, quantity: f.quantity } });
    }
  }
  if (rejected.size > FILL_SUMMARY_OVER) {
    const first = rejected.values().next().value as OrderView;
    const example = `e.g. #${first.orderId}: ${first.rejectReason ?? 'no reason given'}`;
    out.push({ kind: 'reject', title: `${rejected.size} orders rejected`, body: example, rejects: { count: rejected.size, example } });
    rejected.clear();
  }
  for (const o of rejected.values()) {
    const reason = o.rejectReason ?? 'no reason given';
    out.push({ kind: 'reject', orderId: o.orderId, title: `Rejected #${o.orderId}`, body: `${o.side.toUpperCase()} ${formatQty(o.quantity)} ${o.symbol}: ${reason}`, rejects: { count: 1, example: `e.g. #${o.orderId}: ${reason}` } });
  }
  for (const e of events) {
    const what = e.type === 'CancelRejected' ? 'Cancel rejected' : 'Amend rejected';
    out.push({ kind: 'cancel-reject', orderId: typeof e.orderId === 'number' ? e.orderId : undefined, title: `${what} #${String(e.orderId)}`, body: typeof e.text === 'string' && e.text ? e.text : `reason ${String(e.reason)}` });
  }
  for (const a of alerts) out.push({ kind: 'alert', title: `Alert: ${a.instance}`, body: a.message });
  return out;
}
