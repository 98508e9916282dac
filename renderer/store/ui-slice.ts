import type { Side } from '../../contract/domain.ts';
import type { SliceCreator } from './types.ts';

/** A request from elsewhere on the screen (an instruments row, a bid or ask) to fill in the ticket. */
export interface TicketPrefill {
  symbol: string;
  side?: Side;
  price?: number;
  /** Distinguishes two identical requests so the ticket applies both. */
  nonce: number;
}

export interface UiSlice {
  ticketPrefill: TicketPrefill | undefined;
  prefillTicket(p: Omit<TicketPrefill, 'nonce'>): void;
}

export const createUiSlice: SliceCreator<UiSlice> = (set) => ({
  ticketPrefill: undefined,
  prefillTicket: (p) => set((s) => ({ ticketPrefill: { ...p, nonce: (s.ticketPrefill?.nonce ?? 0) + 1 } })),
});
