import { formatInt, formatQty } from '../lib/format.ts';
import type { SliceCreator } from './types.ts';
import type { Toast } from './notify.ts';

/** At most this many toasts on screen; older ones drop off (the blotters keep everything). */
export const MAX_TOASTS = 6;

/** Fill toasts this close together are one stream. */
const FILL_STREAM_MS = 3000;

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
        if (t.fills) {
          // A stream of fills makes one running summary, not a stack of toasts over the blotters:
          // the third fill toast within FILL_STREAM_MS folds the recent ones into a summary.
          const recent = toasts.filter((x) => x.fills && at - x.at < FILL_STREAM_MS);
          if (recent.length >= 2 || recent.some((x) => (x.fills?.count ?? 0) > 1)) {
            let count = t.fills.count;
            let quantity = t.fills.quantity;
            for (const x of recent) {
              count += x.fills?.count ?? 0;
              quantity += x.fills?.quantity ?? 0;
            }
            const keep = recent[recent.length - 1] as Toast;
            toasts = toasts.filter((x) => x === keep || !recent.includes(x));
            toasts[toasts.indexOf(keep)] = { ...keep, kind: 'fill', orderId: undefined, title: `${formatInt(count)} fills`, body: `${formatQty(quantity)} in total`, fills: { count, quantity }, at };
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
