/**
 * Per-desk preferences kept in this browser's localStorage: small, typed,
 * with defaults, and never fatal when storage is off or holds junk.
 */
export interface TicketSettings {
  /** Orders with a notional above this ask for a second confirmation (0 = never). */
  fatFingerNotional: number;
}

export const DEFAULT_TICKET_SETTINGS: TicketSettings = { fatFingerNotional: 1_000_000 };

/** Reads a JSON value from localStorage, merged over `fallback`; the fallback when absent or unreadable. */
export function loadPref<T extends object>(key: string, fallback: T): T {
  try {
    const raw = globalThis.localStorage?.getItem(key);
    if (!raw) return fallback;
    const v = JSON.parse(raw) as unknown;
    if (v === null || typeof v !== 'object' || Array.isArray(v) !== Array.isArray(fallback)) return fallback;
    return Array.isArray(fallback) ? (v as T) : { ...fallback, ...(v as Partial<T>) };
  } catch {
    return fallback;
  }
}

/** Writes a JSON value to localStorage; silently does nothing where storage is off. */
export function savePref(key: string, value: unknown): void {
  try {
    globalThis.localStorage?.setItem(key, JSON.stringify(value));
  } catch {
    // Storage may be off or full: the preference just does not persist.
  }
}

export const TICKET_SETTINGS_KEY = 'ordo.ticket.v1';
