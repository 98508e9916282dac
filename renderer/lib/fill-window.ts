import type { FillView, Result } from '../../contract/api.ts';
import type { FillWindow, FillWindowQuery } from '../../contract/fill-window.ts';
import type { FillFilter, FillSort } from './fill-query.ts';

/** Rows asked for above and below the rows in view (as the orders blotter's window, decision 150). */
export const FILL_WINDOW_MARGIN = 150;
/** How often a live window in view is asked again while fills arrive. */
export const FILL_WINDOW_REFRESH_MS = 1000;

/** Where a past state's rows come from: the time machine's seq and session (decision 166). */
export interface PastAt {
  readonly at: number;
  readonly session: number;
}

/** What the fills blotter shows in remote mode: one window of the host's filtered, sorted fills. */
export interface LoadedFillWindow {
  readonly key: string;
  readonly offset: number;
  readonly fills: readonly FillView[];
  /** Fills matching the filter, and all of the session's (as of the window's seq). */
  readonly total: number;
  readonly fillCount: number;
  /** Row `i` of the whole sorted list, when loaded. */
  fillAt(i: number): FillView | undefined;
  /** The row of a fill in the whole list, or -1 when it is not in the window. */
  indexOf(execId: number): number;
  /** The client of a loaded fill's order. */
  clientOf(execId: number): string | undefined;
}

/** The host query for a filter and sort (blank fields left out), at a past seq when given. */
export function fillWindowQuery(f: FillFilter, s: FillSort, past?: PastAt): FillWindowQuery {
  const q: FillWindowQuery = { sort: s.key, dir: s.dir };
  if (f.symbol !== '') q.symbol = f.symbol;
  if (f.side !== 'all') q.side = f.side;
  if (f.clientId !== '') q.clientId = f.clientId;
  if (f.text.trim() !== '') q.text = f.text.trim();
  if (past) {
    q.at = past.at;
    q.session = past.session;
  }
  return q;
}

export function fillQueryKey(q: FillWindowQuery): string {
  return JSON.stringify([q.symbol, q.side, q.clientId, q.orderId, q.text, q.sort, q.dir, q.at, q.session]);
}

export function loadedFillWindow(key: string, w: FillWindow): LoadedFillWindow {
  const pos = new Map<number, number>();
  const clients = new Map<number, string>();
  w.fills.forEach((f, i) => {
    pos.set(f.execId, w.offset + i);
    const c = w.clients[i];
    if (c) clients.set(f.execId, c);
  });
  return {
    key,
    offset: w.offset,
    fills: w.fills,
    total: w.total,
    fillCount: w.fillCount,
    fillAt: (i) => (i >= w.offset && i < w.offset + w.fills.length ? w.fills[i - w.offset] : undefined),
    indexOf: (id) => pos.get(id) ?? -1,
    clientOf: (id) => clients.get(id),
  };
}

export interface FillLoaderDeps {
  getFillWindow(q: FillWindowQuery): Promise<Result<FillWindow>>;
  onWindow(w: LoadedFillWindow | undefined): void;
  onError?(message: string): void;
}

/**
 * Keeps the window the fills blotter needs loaded: one request in flight; a
 * new filter, sort or past seq, rows scrolled into view that the window does
 * not hold, or a refresh asks for the window around the rows in view. A
 * reply for an older query is dropped. A fill never changes, so the rows
 * are shown as the window brought them.
 */
export class FillWindowLoader {
  private query: FillWindowQuery | undefined;
  private key = '';
  private start = 0;
  private end = 0;
  private inFlight = false;
  private again = false;
  private current: LoadedFillWindow | undefined;
  private closed = false;

  constructor(private readonly d: FillLoaderDeps) {}

  get window(): LoadedFillWindow | undefined {
    return this.current;
  }

  /** The filter, sort and seq; a change loads a new window. */
  setQuery(q: FillWindowQuery): void {
    const key = fillQueryKey(q);
    if (key === this.key && this.query) return;
    this.query = q;
    this.key = key;
    this.load();
  }

  /** The rows in view (start inclusive, end exclusive); loads when the window does not hold them. */
  setRange(start: number, end: number): void {
    this.start = start;
    this.end = end;
    const w = this.current;
    if (!w || w.key !== this.key) return;
    const last = Math.min(end, w.total);
    if (start >= w.offset && last <= w.offset + w.fills.length) return;
    this.load();
  }

  /** Asks again for the window in view (fills arrived). */
  refresh(): void {
    this.load();
  }

  close(): void {
    this.closed = true;
  }

  private load(): void {
    if (!this.query || this.closed) return;
    if (this.inFlight) {
      this.again = true;
      return;
    }
    this.inFlight = true;
    const key = this.key;
    const span = Math.max(1, this.end - this.start);
    const offset = Math.max(0, this.start - FILL_WINDOW_MARGIN);
    const q: FillWindowQuery = { ...this.query, offset, limit: Math.min(2000, span + 2 * FILL_WINDOW_MARGIN) };
    void this.d.getFillWindow(q).then((r) => {
      this.inFlight = false;
      if (this.closed) return;
      if (!r.ok) this.d.onError?.(r.error.message);
      else if (key === this.key) {
        this.current = loadedFillWindow(key, r.value);
        this.d.onWindow(this.current);
      }
      if (this.again || key !== this.key) {
        this.again = false;
        this.load();
      }
    });
  }
}

/** Every fill that passes `q`, from the host a window at a time (CSV export in remote mode), with each one's client. */
export async function allMatchingFills(
  getFillWindow: FillLoaderDeps['getFillWindow'],
  q: FillWindowQuery,
): Promise<{ ok: true; fills: FillView[]; clients: string[] } | { ok: false; message: string }> {
  const fills: FillView[] = [];
  const clients: string[] = [];
  for (let offset = 0; ; offset += 2000) {
    const r = await getFillWindow({ ...q, offset, limit: 2000 });
    if (!r.ok) return { ok: false, message: r.error.message };
    fills.push(...r.value.fills);
    clients.push(...r.value.clients);
    if (r.value.fills.length < 2000 || offset + 2000 >= r.value.total) return { ok: true, fills, clients };
  }
}
