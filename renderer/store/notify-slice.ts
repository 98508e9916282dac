import { formatQty } from '../lib/format.ts';
import type { SliceCreator } from './types.ts';
import type { Toast } from './notify.ts';

/** At most this many toasts on screen; older ones drop off (the blotters keep everything). */
export const MAX_TOASTS = 6;

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
        // A stream of fills makes one running summary, not a toast per frame.
        const last = toasts[toasts.length - 1];
        if (t.fills && last?.fills && at - last.at < 3000) {
          const count = last.fills.count + t.fills.count;
          const quantity = last.fills.quantity + t.fills.quantity;
          toasts[toasts.length - 1] = { ...last, title: `${count} fills`, body: `${formatQty(quantity)} in total`, fills: { count, quantity }, at };
          continue;
        }
        toasts.push({ ...t, id: id++, at });
      }
      toasts = toasts.slice(Math.max(0, toasts.length - MAX_TOASTS));
      return { toasts, nextToastId: id, unseen: visible ? s.unseen : s.unseen + list.length };
    }),
  dismissToast: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
  markSeen: () => set((s) => (s.unseen === 0 ? {} : { unseen: 0 })),
});
