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
      const added = list.map((t) => ({ ...t, id: id++, at }));
      const toasts = [...s.toasts, ...added];
      return { toasts: toasts.slice(Math.max(0, toasts.length - MAX_TOASTS)), nextToastId: id, unseen: visible ? s.unseen : s.unseen + list.length };
    }),
  dismissToast: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
  markSeen: () => set((s) => (s.unseen === 0 ? {} : { unseen: 0 })),
});
