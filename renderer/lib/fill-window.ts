import type { FillView, Result } from '../../contract/api.ts';
import type { FillWindow, FillWindowQuery } from '../../contract/fill-window.ts';
import type { FillFilter, FillSort } from './fill-query.ts';
import { type HeldWindow, WINDOW_MARGIN, WindowLoader } from './window-loader.ts';

/** Rows asked for above and below the rows in view (the orders blotter's margin, decision 150). */
export const FILL_WINDOW_MARGIN = WINDOW_MARGIN;
/** How often a live window in view is asked again while fills arrive. */
export const FILL_WINDOW_REFRESH_MS = 1000;

/** Where a past state's rows come from: the time machine's seq and session (decision 166). */
export interface PastAt {
  readonly at: number;
  readonly session: number;
}

/** What the fills blotter shows in remote mode: one window of the host's filtered, sorted fills. */
export interface LoadedFillWindow extends HeldWindow {
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
    held: w.fills.length,
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

/** The fills blotter's window loader: a fill never changes, so the rows are shown as the window brought them. */
export class FillWindowLoader extends WindowLoader<FillWindowQuery, FillWindow, LoadedFillWindow> {
  constructor(d: FillLoaderDeps) {
    super({
      keyOf: fillQueryKey,
      fetch: (q) => d.getFillWindow(q),
      loaded: loadedFillWindow,
      onWindow: (w) => d.onWindow(w),
      ...(d.onError ? { onError: (m: string) => d.onError!(m) } : {}),
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
