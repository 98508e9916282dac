import { formatInt, formatQty } from '../lib/format.ts';
import type { SliceCreator } from './types.ts';
import type { Toast } from './notify.ts';

/** At most this many toasts on screen; older ones drop off (the blotters keep everything). */
export const MAX_TOASTS = 6;

/** Fill (or reject) toasts this close together are one stream. */
const STREAM_MS = 3000;

/** The running summary of toast `t` and the recent toasts of its kind. */
function folded(t: Omit<Toast, 'id' | 'at'>, recent: readonly Toast[]): Pick<Toast, 'kind' | 'title' | 'body' | 'fills' | 'rejects'> {
  if (t.fills) {
    let count = t.fills.count;
    let quantity = t.fills.quantity;
    for (const x of recent) {
      count += x.fills?.count ?? 0;
      quantity += x.fills?.quantity ?? 0;
    }
    return { kind: 'fill', title: `${formatInt(count)} fills`, body: `${formatQty(quantity)} in total`, fills: { count, quantity } };
  }
  let count = t.rejects?.count ?? 0;
  for (const x of recent) count += x.rejects?.count ?? 0;
  const example = t.rejects?.example ?? '';
  return { kind: 'reject', title: `${formatInt(count)} orders rejected`, body: example, rejects: { count, example } };
}

export interface NotifySlice {
  toasts: readonly Toast[];
  /** Toasts raised since the trader last looked (window focused and visible): the title badge. */
  unseen: number;
  nextToastId: number;
  pushToasts(list: readonly Omit<Toast, 'id' | 'at'>[], at: number, visible: boolean): void;
  dismissToast(id: number): void;
  markSeen(): void;
}

export const createNotifySlice: SliceCreator<NotifySlice> = (set) => ({
  toasts: [],
  unseen: 0,
  nextToastId: 1,
  pushToasts: (list, at, visible) =>
    set((s) => {
      if (list.length === 0) return {};
      let id = s.nextToastId;
      let toasts = [...s.toasts];
      for (const t of list) {
        // A stream of fills (or of rejects: a risk limit refusing a burst) makes one running summary, not a
        // stack of toasts over the blotters: the third toast of a kind within STREAM_MS folds the recent ones.
        const stream = t.fills ? 'fills' : t.rejects ? 'rejects' : undefined;
        if (stream) {
          const recent = toasts.filter((x) => x[stream] && at - x.at < STREAM_MS);
          if (recent.length >= 2 || recent.some((x) => (x[stream]?.count ?? 0) > 1)) {
            const keep = recent[recent.length - 1] as Toast;
            toasts = toasts.filter((x) => x === keep || !recent.includes(x));
            toasts[toasts.indexOf(keep)] = { ...keep, ...folded(t, recent), orderId: undefined, at };
            continue;
          }
        }
        toasts.push({ ...t, id: id++, at });
      }
      toasts = toasts.slice(Math.max(0, toasts.length - MAX_TOASTS));
      return { toasts, nextToastId: id, unseen: visible ? s.unseen : s.unseen + list.length };
    }),
  dismissToast: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
  markSeen: () => set((s) => (s.unseen === 0 ? {} : { unseen: 0 })),
});
