import type { FillView } from '../../contract/api.ts';
import { fillFilterNeedsClient, fillFilterOf } from '../../contract/fill-window.ts';
import type { FillSortKey, FillWindow, FillWindowQuery } from '../../contract/fill-window.ts';
import type { OmsProjection } from '../oms/projection.ts';
import type { FillRecord } from '../oms/projection-types.ts';
import { fillView } from '../oms/views.ts';
import { nextTurn, SLICE_ROWS, sortSliced } from './order-window.ts';

/** Rows one window answers by default, and at most (as the order window). */
export const FILL_WINDOW_DEFAULT = 200;
export const FILL_WINDOW_MAX = 2000;

type Key = number | string;

interface Built {
  readonly projection: OmsProjection;
  readonly key: string;
  /** Fills of the projection looked at (fills are appended, never changed, within a session). */
  rows: number;
  /** Matching fills' positions in the log (0-based), ascending by (sort key, position); `desc` reads from the end. */
  ids: number[];
  /** The sort key of each listed fill, aligned with `ids` (to merge new fills in without sorting again). */
  keys: Key[];
}

/**
 * The fills blotter's server-side window (getFillWindow, decision 166):
 * filter, sort and slice a projection's fills, with counts. A fill never
 * changes once booked and new ones come in seq order, so a built list is
 * never stale: new fills are sorted among themselves and merged in (one
 * pass over the list), never a whole re-sort. The default view (every fill,
 * by seq) needs no list at all. One built list is kept (the blotter shows
 * one view at a time); a new filter or sort builds afresh.
 */
export class FillWindows {
  private built: Built | undefined;

  private building: { key: string; projection: OmsProjection; done: Promise<Built> } | undefined;

  /** One window of `p`'s fills for `q` (rows `offset` inclusive to `offset+limit` exclusive), a list built at once. */
  window(p: OmsProjection, q: FillWindowQuery): FillWindow {
    const all = isEverything(q) && (q.sort ?? 'seq') === 'seq';
    return this.cut(p, q, all ? undefined : this.list(p, q).ids);
  }

  /**
   * Like window, but a list built afresh is built in slices (SLICE_ROWS fills
   * a turn of the event loop, the sort in sorted runs and merges: as the
   * live order window), for the host's thread; calls made meanwhile share
   * the build. New fills merge into a built list in slices too (catchUp).
   */
  async windowSliced(p: OmsProjection, q: FillWindowQuery, pause: () => Promise<void> = nextTurn, slice = SLICE_ROWS): Promise<FillWindow> {
    if (isEverything(q) && (q.sort ?? 'seq') === 'seq') return this.cut(p, q, undefined);
    const key = listKey(q);
    const b = this.built;
    if (b && b.projection === p && b.key === key) {
      await this.catchUp(b, p, q, pause, slice);
      return this.cut(p, q, b.ids);
    }
    let job = this.building;
    if (!job || job.key !== key || job.projection !== p) {
      const done = buildSliced(p, q, key, pause, slice);
      job = this.building = { key, projection: p, done };
      void done.then(
        (built) => {
          if (this.building?.done === done) this.building = undefined;
          this.built = built;
        },
        () => {
          if (this.building?.done === done) this.building = undefined;
        },
      );
    }
    const built = await job.done;
    // Fills booked while it was built.
    await this.catchUp(built, p, q, pause, slice);
    return this.cut(p, q, built.ids);
  }

  /** A merge of new fills into a kept list in progress (catchUp): one at a time, calls meanwhile wait for it. */
  private merging: Promise<void> | undefined;

  /**
   * Merges the fills booked since the list was built, in slices: a burst of
   * fills that sort among the listed ones means a pass over the whole list
   * (a million entries: 30-60 ms in one piece on this machine), so the pass
   * copies `slice` × 4 entries (80,000) a turn (issue #11's 50 ms).
   */
  private async catchUp(b: Built, p: OmsProjection, q: FillWindowQuery, pause: () => Promise<void>, slice: number): Promise<void> {
    // Up to the fills there are now: fills booked during a merge wait for the next call, or a steady flow of
    // fills would keep this call merging for ever.
    const target = p.fillCount;
    for (;;) {
      // A merge under way first: until it ends the list lacks the fills it merges.
      if (this.merging) {
        await this.merging;
        continue;
      }
      if (b.rows >= target) return;
      const add = collectNew(b, p, q);
      if (add.ids.length === 0 || appendable(b, add)) {
        append(b, add);
        return;
      }
      const done = mergeSliced(b, add, pause, slice * 4);
      this.merging = done;
      try {
        await done;
      } finally {
        if (this.merging === done) this.merging = undefined;
      }
    }
  }

  private cut(p: OmsProjection, q: FillWindowQuery, ids: readonly number[] | undefined): FillWindow {
    const desc = (q.dir ?? 'desc') === 'desc';
    const limit = Math.min(q.limit ?? FILL_WINDOW_DEFAULT, FILL_WINDOW_MAX);
    const n = ids ? ids.length : p.fillCount;
    const offset = Math.max(0, Math.min(q.offset ?? 0, n));
    const end = Math.min(n, offset + limit);
    const fills: FillView[] = [];
    const clients: string[] = [];
    for (let i = offset; i < end; i++) {
      const at = desc ? n - 1 - i : i;
      const f = p.fillAt(ids ? (ids[at] as number) : at);
      if (!f) continue;
      fills.push(fillView(f));
      clients.push(p.order(f.orderId)?.clientId ?? '');
    }
    return { session: p.session.id, seq: p.lastSeq, offset, fills, clients, total: n, fillCount: p.fillCount };
  }

  private list(p: OmsProjection, q: FillWindowQuery): Built {
    const key = listKey(q);
    const b = this.built;
    if (b && b.projection === p && b.key === key) {
      if (p.fillCount > b.rows) mergeNew(b, p, q);
      return b;
    }
    this.built = { projection: p, key, rows: 0, ids: [], keys: [] };
    mergeNew(this.built, p, q);
    return this.built;
  }
}

/** The direction is not part of the key: one ascending list answers both. */
function listKey(q: FillWindowQuery): string {
  return JSON.stringify([q.symbol ?? '', q.side ?? '', q.clientId ?? '', q.orderId ?? 0, (q.text ?? '').trim().toLowerCase(), q.sort ?? 'seq']);
}

/** A list of the fills there are now, scanned `slice` fills a turn and sorted in slices. */
async function buildSliced(p: OmsProjection, q: FillWindowQuery, key: string, pause: () => Promise<void>, slice: number): Promise<Built> {
  const match = fillFilterOf(q);
  const needsClient = fillFilterNeedsClient(q);
  const sortKey: FillSortKey = q.sort ?? 'seq';
  const rows = p.fillCount;
  const ids: number[] = [];
  const keys: Key[] = [];
  let inOrder = true;
  // One fill record written row by row (a fresh fill and order object per row was most of a build's garbage).
  const f = scratchFill();
  for (let from = 0; from < rows; from += slice) {
    const end = Math.min(rows, from + slice);
    for (let i = from; i < end; i++) {
      p.fillInto(i, f);
      const client = needsClient ? p.clientIdOf(f.orderId) : undefined;
      if (!match(f, client)) continue;
      const k = sortValue(f, sortKey, client);
      const prev = keys[keys.length - 1];
      if (prev !== undefined && k < prev) inOrder = false;
      ids.push(i);
      keys.push(k);
    }
    await pause();
  }
  if (inOrder) return { projection: p, key, rows, ids, keys };
  const sorted = await sortSliced(ids, keys, pause, slice);
  const sortedKeys = new Array<Key>(keys.length);
  for (let lo = 0; lo < keys.length; lo += slice * 4) {
    const hi = Math.min(keys.length, lo + slice * 4);
    for (let i = lo; i < hi; i++) sortedKeys[i] = keys[sorted.order[i]!] as Key;
    if (hi < keys.length) await pause();
  }
  return { projection: p, key, rows, ids: sorted.ids, keys: sortedKeys };
}

/** A fill record to write rows into (OmsProjection.fillInto). */
function scratchFill(): { -readonly [K in keyof FillRecord]: FillRecord[K] } {
  return { execId: 0, orderId: 0, symbol: '', side: 'buy', quantity: 0, price: 0, seq: 0, ts: 0 };
}

function isEverything(q: FillWindowQuery): boolean {
  return (q.symbol ?? '') === '' && q.side === undefined && (q.clientId ?? '') === '' && q.orderId === undefined && (q.text ?? '').trim() === '';
}

interface NewFills {
  readonly ids: number[];
  readonly keys: Key[];
}

/** The fills booked since `b.rows` that match, sorted among themselves; `b.rows` moves on to the fill count. */
function collectNew(b: Built, p: OmsProjection, q: FillWindowQuery): NewFills {
  const match = fillFilterOf(q);
  const needsClient = fillFilterNeedsClient(q);
  const sortKey: FillSortKey = q.sort ?? 'seq';
  const addIds: number[] = [];
  const addKeys: Key[] = [];
  let inOrder = true;
  const f = scratchFill();
  for (let i = b.rows; i < p.fillCount; i++) {
    p.fillInto(i, f);
    const client = needsClient ? p.clientIdOf(f.orderId) : undefined;
    if (!match(f, client)) continue;
    const k = sortValue(f, sortKey, client);
    const prev = addKeys[addKeys.length - 1];
    if (prev !== undefined && k < prev) inOrder = false;
    addIds.push(i);
    addKeys.push(k);
  }
  b.rows = p.fillCount;
  if (inOrder) return { ids: addIds, keys: addKeys };
  const idx = Array.from(addIds.keys());
  idx.sort((x, y) => compare(addKeys[x] as Key, addIds[x] as number, addKeys[y] as Key, addIds[y] as number));
  return { ids: idx.map((i) => addIds[i] as number), keys: idx.map((i) => addKeys[i] as Key) };
}

/** Every new fill's position is above every listed one's, so ties keep them after: new fills that sort last are appended. */
function appendable(b: Built, add: NewFills): boolean {
  const lastKey = b.keys[b.keys.length - 1];
  return lastKey === undefined || !((add.keys[0] as Key) < lastKey);
}

function append(b: Built, add: NewFills): void {
  for (let i = 0; i < add.ids.length; i++) {
    b.ids.push(add.ids[i] as number);
    b.keys.push(add.keys[i] as Key);
  }
}

/** Adds the fills booked since `b.rows` that match, in their sorted places (a merge: the listed ones are already sorted). */
function mergeNew(b: Built, p: OmsProjection, q: FillWindowQuery): void {
  const add = collectNew(b, p, q);
  if (add.ids.length === 0 || appendable(b, add)) return append(b, add);
  const m = new Merge(b, add);
  m.run(Infinity);
  m.finish();
}

/** mergeNew's merge, `step` entries a turn; the list keeps answering windows from its old arrays until the last turn. */
async function mergeSliced(b: Built, add: NewFills, pause: () => Promise<void>, step: number): Promise<void> {
  const m = new Merge(b, add);
  while (!m.run(step)) await pause();
  m.finish();
}

/** A merge of a listed (sorted) list and new sorted fills into new arrays, resumable. */
class Merge {
  private readonly outIds: number[];
  private readonly outKeys: Key[];
  private i = 0;
  private j = 0;
  private o = 0;

  constructor(
    private readonly b: Built,
    private readonly add: NewFills,
  ) {
    this.outIds = new Array<number>(b.ids.length + add.ids.length);
    this.outKeys = new Array<Key>(this.outIds.length);
  }

  /** Copies up to `step` entries; true when done. */
  run(step: number): boolean {
    const { b, add, outIds, outKeys } = this;
    const stop = Math.min(outIds.length, this.o + step);
    let { i, j, o } = this;
    for (; o < stop; o++) {
      const takeOld = j >= add.ids.length || (i < b.ids.length && compare(b.keys[i] as Key, b.ids[i] as number, add.keys[j] as Key, add.ids[j] as number) <= 0);
      if (takeOld) {
        outIds[o] = b.ids[i] as number;
        outKeys[o] = b.keys[i++] as Key;
      } else {
        outIds[o] = add.ids[j] as number;
        outKeys[o] = add.keys[j++] as Key;
      }
    }
    this.i = i;
    this.j = j;
    this.o = o;
    return o >= outIds.length;
  }

  finish(): void {
    this.b.ids = this.outIds;
    this.b.keys = this.outKeys;
  }
}

function compare(ka: Key, ia: number, kb: Key, ib: number): number {
  if (ka < kb) return -1;
  if (ka > kb) return 1;
  return ia - ib;
}

function sortValue(f: FillRecord, key: FillSortKey, client: string | undefined): Key {
  switch (key) {
    case 'clientId':
      return client ?? '';
    case 'notional':
      return f.quantity * f.price;
    default:
      return f[key];
  }
}
