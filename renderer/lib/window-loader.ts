import type { Result } from '../../contract/api.ts';

/** Rows asked for above and below the rows in view, so scrolling a page shows rows at once (decision 150). */
export const WINDOW_MARGIN = 150;
/** The most rows one window asks the host for. */
const WINDOW_LIMIT = 2000;

/** What a loaded window must tell the loader: the query it was cut for and the rows it holds. */
export interface HeldWindow {
  readonly key: string;
  readonly offset: number;
  readonly total: number;
  /** Rows the window holds, from `offset`. */
  readonly held: number;
}

/** What one kind of window (orders, fills) plugs into the loader. */
export interface WindowSource<Q, R, W> {
  /** The key of a query's filter and sort (and past seq): a reply for another key is dropped. */
  keyOf(q: Q): string;
  fetch(q: Q & { offset: number; limit: number }): Promise<Result<R>>;
  /** The window to show for a reply (called only for a reply to the current query). */
  loaded(key: string, reply: R): W;
  onWindow(w: W | undefined): void;
  onError?(message: string): void;
}

/**
 * Keeps the window a blotter needs loaded (decision 150): one request in
 * flight; a new query, rows scrolled into view that the window does not hold,
 * or a refresh asks for the window around the rows in view. A reply for an
 * older query is dropped; what came in meanwhile is asked once more after it.
 */
export class WindowLoader<Q extends object, R, W extends HeldWindow> {
  private query: Q | undefined;
  private key = '';
  private start = 0;
  private end = 0;
  private inFlight = false;
  private again = false;
  private current: W | undefined;
  private closed = false;

  constructor(private readonly s: WindowSource<Q, R, W>) {}

  get window(): W | undefined {
    return this.current;
  }

  /** The filter and sort; a change loads a new window. */
  setQuery(q: Q): void {
    const key = this.s.keyOf(q);
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
    if (start >= w.offset && last <= w.offset + w.held) return;
    this.load();
  }

  /** Asks again for the window in view (rows changed or arrived). */
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
    const offset = Math.max(0, this.start - WINDOW_MARGIN);
    void this.s.fetch({ ...this.query, offset, limit: Math.min(WINDOW_LIMIT, span + 2 * WINDOW_MARGIN) }).then((r) => {
      this.inFlight = false;
      if (this.closed) return;
      if (!r.ok) this.s.onError?.(r.error.message);
      else if (key === this.key) {
        this.current = this.s.loaded(key, r.value);
        this.s.onWindow(this.current);
      }
      if (this.again || key !== this.key) {
        this.again = false;
        this.load();
      }
    });
  }
}
