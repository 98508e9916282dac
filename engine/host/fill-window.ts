import type { FillView } from '../../contract/api.ts';
import { fillFilterNeedsClient, fillFilterOf } from '../../contract/fill-window.ts';
import type { FillSortKey, FillWindow, FillWindowQuery } from '../../contract/fill-window.ts';
import type { OmsProjection } from '../oms/projection.ts';
import type { FillRecord } from '../oms/projection-types.ts';
import { fillView } from '../oms/views.ts';
import { nextTurn, SLICE_ROWS, sortOrder } from './order-window.ts';
import { rowsInTurns } from './turn-budget.ts';

/** Rows one window answers by default, and at most (as the order window). */
export const FILL_WINDOW_DEFAULT = 200;
export const FILL_WINDOW_MAX = 2000;

type Key = number | string;

/** Sort keys that are text; every other key is a number. */
const TEXT_KEYS = new Set<FillSortKey>(['clientId', 'symbol', 'side']);

/**
 * A list of fills sorted by (sort key, position): positions in the log
 * (0-based) and their keys. The long list lives in typed arrays (numbers in
 * a Float64Array: a million-entry JS array of doubles is copied whole when it
 * grows or changes kind, and is garbage the scavenger copies).
 */
interface Run {
  readonly ids: Int32Array;
  readonly keys: Float64Array | string[];
}

/** The fills booked since the long list was last merged: few, sorted among themselves, replaced (never changed) on each add. */
interface Pending {
  readonly ids: readonly number[];
  readonly keys: readonly Key[];
}

/** What a window is cut from: the long list and the pending fills, read as one merged list. */
interface ListView {
  readonly main: Run;
  readonly pend: Pending;
}

interface Built {
  readonly projection: OmsProjection;
  readonly key: string;
  /** Fills of the projection looked at (fills are appended, never changed, within a session). */
  rows: number;
  main: Run;
  pend: Pending;
}

const NO_PENDING: Pending = { ids: [], keys: [] };

/**
 * Pending fills kept beside the long list before they are merged into it
 * (a pass over the whole list, in slices): a window's rows are read off both
 * lists by rank (rowsAt), so a call that brings a few new fills costs their
 * own sort, not a pass over a million entries (issue #11).
 */
export function pendingMax(slice: number): number {
  return slice * 4;
}

/**
 * The fills blotter's server-side window (getFillWindow, decision 166):
 * filter, sort and slice a projection's fills, with counts. A fill never
 * changes once booked and new ones come in seq order, so a built list is
 * never stale: new fills are sorted among themselves and kept beside it
 * (pending), merged in (one pass over the list, in slices) only when they
 * are many; never a whole re-sort. The default view (every fill, by seq)
 * needs no list at all. One built list is kept (the blotter shows one view at
 * a time); a new filter or sort builds afresh.
 */
export class FillWindows {
  private built: Built | undefined;

  private building: { key: string; projection: OmsProjection; done: Promise<Built> } | undefined;

  /** One window of `p`'s fills for `q` (rows `offset` inclusive to `offset+limit` exclusive), a list built at once. */
  window(p: OmsProjection, q: FillWindowQuery): FillWindow {
    const all = isEverything(q) && (q.sort ?? 'seq') === 'seq';
    return this.cut(p, q, all ? undefined : this.list(p, q));
  }

  /**
   * Like window, but a list built afresh is built in slices (SLICE_ROWS fills
   * a turn of the event loop, the sort in sorted runs and merges: as the
   * live order window), for the host's thread; calls made meanwhile share
   * the build. New fills are taken in without a pass over the list, and
   * merged into it in slices when many (catchUp).
   */
  async windowSliced(p: OmsProjection, q: FillWindowQuery, pause: () => Promise<void> = nextTurn, slice = SLICE_ROWS): Promise<FillWindow> {
    if (isEverything(q) && (q.sort ?? 'seq') === 'seq') return this.cut(p, q, undefined);
    const key = listKey(q);
    const b = this.built;
    if (b && b.projection === p && b.key === key) return this.cut(p, q, await this.catchUp(b, p, q, pause, slice));
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
    return this.cut(p, q, await this.catchUp(built, p, q, pause, slice));
  }

  /** A merge of the pending fills into the long list in progress (catchUp): one at a time, calls meanwhile wait for it. */
  private merging: Promise<void> | undefined;

  /**
   * Takes in the fills booked since the list was looked at: sorted among
   * themselves and merged into the pending ones (their own size), and when
   * those pass pendingMax, into the long list in slices of `slice` × 4
   * entries a turn (a million entries in one piece was a 20-30 ms turn).
   * Answers the lists as they stand when it returns (later fills do not
   * change an answer being cut).
   */
  private async catchUp(b: Built, p: OmsProjection, q: FillWindowQuery, pause: () => Promise<void>, slice: number): Promise<ListView> {
    // Up to the fills there are now: fills booked during a merge wait for the next call, or a steady flow of
    // fills would keep this call merging for ever.
    const target = p.fillCount;
    for (;;) {
      // A merge under way first: until it ends the long list lacks the fills it merges.
      if (this.merging) {
        await this.merging;
        continue;
      }
      if (b.rows < target) takeNew(b, p, q);
      if (b.pend.ids.length <= pendingMax(slice)) return { main: b.main, pend: b.pend };
      const done = mergeSliced(b, pause, slice * 4);
      this.merging = done;
      try {
        await done;
      } finally {
        if (this.merging === done) this.merging = undefined;
      }
    }
  }

  private cut(p: OmsProjection, q: FillWindowQuery, list: ListView | undefined): FillWindow {
    const desc = (q.dir ?? 'desc') === 'desc';
    const limit = Math.min(q.limit ?? FILL_WINDOW_DEFAULT, FILL_WINDOW_MAX);
    const n = list ? list.main.ids.length + list.pend.ids.length : p.fillCount;
    const offset = Math.max(0, Math.min(q.offset ?? 0, n));
    const end = Math.min(n, offset + limit);
    // The rows' positions in the log, in the window's order: by rank off the two sorted lists.
    let at: number[];
    if (list) {
      at = rowsAt(list, desc ? n - end : offset, end - offset);
      if (desc) at.reverse();
    } else {
      at = [];
      for (let i = offset; i < end; i++) at.push(desc ? n - 1 - i : i);
    }
    const fills: FillView[] = [];
    const clients: string[] = [];
    for (const i of at) {
      const f = p.fillAt(i);
      if (!f) continue;
      fills.push(fillView(f));
      clients.push(p.order(f.orderId)?.clientId ?? '');
    }
    return { session: p.session.id, seq: p.lastSeq, offset, fills, clients, total: n, fillCount: p.fillCount };
  }

  private list(p: OmsProjection, q: FillWindowQuery): ListView {
    const key = listKey(q);
    let b = this.built;
    if (!b || b.projection !== p || b.key !== key) b = this.built = buildAtOnce(p, q, key);
    if (p.fillCount > b.rows) takeNew(b, p, q);
    if (b.pend.ids.length > pendingMax(SLICE_ROWS)) {
      const m = new Merge(b);
      m.run(Infinity);
      m.finish();
    }
    return { main: b.main, pend: b.pend };
  }
}

/** The direction is not part of the key: one ascending list answers both. */
function listKey(q: FillWindowQuery): string {
  return JSON.stringify([q.symbol ?? '', q.side ?? '', q.clientId ?? '', q.orderId ?? 0, (q.text ?? '').trim().toLowerCase(), q.sort ?? 'seq']);
}

/** The matching fills of a build, with their keys, in log order (typed arrays sized for every fill: no growth). */
class Scan {
  n = 0;
  inOrder = true;
  readonly ids: Int32Array;
  readonly nums: Float64Array | undefined;
  readonly texts: string[] = [];
  private readonly match: ReturnType<typeof fillFilterOf>;
  private readonly needsClient: boolean;
  private readonly sortKey: FillSortKey;
  // One fill record written row by row (a fresh fill and order object per row was most of a build's garbage).
  private readonly f = scratchFill();
  private prev: Key | undefined;
  /** The last number key seen (a number field: the numeric path's key is never boxed, decision 242). */
  private prevNum = -Infinity;

  constructor(
    private readonly p: OmsProjection,
    q: FillWindowQuery,
    rows: number,
  ) {
    this.match = fillFilterOf(q);
    this.needsClient = fillFilterNeedsClient(q);
    this.sortKey = q.sort ?? 'seq';
    this.ids = new Int32Array(rows);
    this.nums = TEXT_KEYS.has(this.sortKey) ? undefined : new Float64Array(rows);
  }

  rows(from: number, end: number): void {
    const { p, f, sortKey, ids, nums, texts } = this;
    if (nums) {
      this.numberRows(from, end, nums);
      return;
    }
    for (let i = from; i < end; i++) {
      p.fillInto(i, f);
      const client = this.needsClient ? p.clientIdOf(f.orderId) : undefined;
      if (!this.match(f, client)) continue;
      const k = sortValue(f, sortKey, client);
      if (this.prev !== undefined && k < this.prev) this.inOrder = false;
      this.prev = k;
      ids[this.n] = i;
      texts.push(k as string);
      this.n++;
    }
  }

  /**
   * rows, for a number key: the key read by a named field (numberKey) and kept in locals and typed arrays. Read
   * through sortValue (a keyed read of a double field, kept in `prev`), every row made a heap number: ~21 MB of
   * garbage per build at 1.47 M fills (V8's sampling heap profiler, round 10).
   */
  private numberRows(from: number, end: number, nums: Float64Array): void {
    const { p, f, sortKey, ids } = this;
    let prev = this.prevNum;
    let inOrder = this.inOrder;
    let n = this.n;
    for (let i = from; i < end; i++) {
      p.fillInto(i, f);
      const client = this.needsClient ? p.clientIdOf(f.orderId) : undefined;
      if (!this.match(f, client)) continue;
      const k = numberKey(f, sortKey);
      if (k < prev) inOrder = false;
      prev = k;
      ids[n] = i;
      nums[n] = k;
      n++;
    }
    this.prevNum = prev;
    this.inOrder = inOrder;
    this.n = n;
  }

  /**
   * The matching fills as a run, in log order: views of the scan's arrays, or with `kept` (the run is the list
   * kept) copies of the matching part when fewer than all matched (a filter that matched three fills does not keep
   * arrays sized for every fill alive).
   */
  run(kept = false): Run {
    const { n } = this;
    if (kept && n < this.ids.length) return { ids: this.ids.slice(0, n), keys: this.nums ? this.nums.slice(0, n) : this.texts };
    return { ids: this.ids.subarray(0, n), keys: this.nums ? this.nums.subarray(0, n) : this.texts };
  }
}

/** A list of the fills there are now, scanned `slice` fills a turn and sorted in slices. */
async function buildSliced(p: OmsProjection, q: FillWindowQuery, key: string, pause: () => Promise<void>, slice: number): Promise<Built> {
  const rows = p.fillCount;
  const s = new Scan(p, q, rows);
  // The arrays' allocation (and their pages' first touch) in a turn before the first slice's.
  await pause();
  // A slice ends early past the turn's time budget (a new query's first rows run before V8 optimises it).
  await rowsInTurns(0, rows, slice, pause, (lo, hi) => s.rows(lo, hi));
  if (s.inOrder) return { projection: p, key, rows, main: s.run(true), pend: NO_PENDING };
  const run = s.run();
  const { order } = await sortOrder(run.ids, run.keys, pause, slice);
  const ids = new Int32Array(run.ids.length);
  const keys = run.keys instanceof Float64Array ? new Float64Array(ids.length) : new Array<string>(ids.length);
  // `slice` a turn: each entry is read from a random place of two 10-MB arrays (80,000 a turn was a 25 ms turn).
  await rowsInTurns(0, ids.length, slice, pause, (lo, hi) => {
    for (let i = lo; i < hi; i++) ids[i] = run.ids[order[i]!]!;
    if (keys instanceof Float64Array) permute(run.keys as Float64Array, order, keys, lo, hi);
    else for (let i = lo; i < hi; i++) keys[i] = run.keys[order[i]!] as string;
  });
  return { projection: p, key, rows, main: { ids, keys }, pend: NO_PENDING };
}

/** `to[i] = from[order[i]]` for i in [lo, hi) (a loop of its own: one array kind, no polymorphic reads). */
function permute(from: Float64Array, order: Int32Array, to: Float64Array, lo: number, hi: number): void {
  for (let i = lo; i < hi; i++) to[i] = from[order[i]!]!;
}

/** buildSliced in one piece (the past states' thread). */
function buildAtOnce(p: OmsProjection, q: FillWindowQuery, key: string): Built {
  const rows = p.fillCount;
  const s = new Scan(p, q, rows);
  s.rows(0, rows);
  if (s.inOrder) return { projection: p, key, rows, main: s.run(true), pend: NO_PENDING };
  const { ids: at, keys: k } = s.run();
  const order = new Int32Array(at.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((x, y) => compare(k[x]!, at[x]!, k[y]!, at[y]!));
  const ids = new Int32Array(at.length);
  const keys = k instanceof Float64Array ? new Float64Array(ids.length) : new Array<string>(ids.length);
  for (let i = 0; i < ids.length; i++) {
    ids[i] = at[order[i]!]!;
    keys[i] = k[order[i]!]!;
  }
  return { projection: p, key, rows, main: { ids, keys }, pend: NO_PENDING };
}

/** A fill record to write rows into (OmsProjection.fillInto). */
function scratchFill(): { -readonly [K in keyof FillRecord]: FillRecord[K] } {
  return { execId: 0, orderId: 0, symbol: '', side: 'buy', quantity: 0, price: 0, seq: 0, ts: 0 };
}

function isEverything(q: FillWindowQuery): boolean {
  return (q.symbol ?? '') === '' && q.side === undefined && (q.clientId ?? '') === '' && q.orderId === undefined && (q.text ?? '').trim() === '';
}

/** The fills booked since `b.rows` that match, sorted among themselves and merged into the pending ones (new arrays); `b.rows` moves on. */
function takeNew(b: Built, p: OmsProjection, q: FillWindowQuery): void {
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
  if (addIds.length === 0) return;
  let add: Pending = { ids: addIds, keys: addKeys };
  if (!inOrder) {
    const idx = Array.from(addIds.keys());
    idx.sort((x, y) => compare(addKeys[x] as Key, addIds[x] as number, addKeys[y] as Key, addIds[y] as number));
    add = { ids: idx.map((i) => addIds[i] as number), keys: idx.map((i) => addKeys[i] as Key) };
  }
  b.pend = mergePending(b.pend, add);
}

/** Two sorted pending lists as one (new arrays: a view handed out keeps the old ones). */
function mergePending(a: Pending, z: Pending): Pending {
  if (a.ids.length === 0) return z;
  const ids: number[] = [];
  const keys: Key[] = [];
  let i = 0;
  let j = 0;
  while (i < a.ids.length || j < z.ids.length) {
    if (j >= z.ids.length || (i < a.ids.length && compare(a.keys[i]!, a.ids[i]!, z.keys[j]!, z.ids[j]!) < 0)) {
      ids.push(a.ids[i]!);
      keys.push(a.keys[i++]!);
    } else {
      ids.push(z.ids[j]!);
      keys.push(z.keys[j++]!);
    }
  }
  return { ids, keys };
}

/** Entries of `r` that sort before (k, id). */
function before(r: Run, k: Key, id: number): number {
  let a = 0;
  let z = r.ids.length;
  while (a < z) {
    const h = (a + z) >>> 1;
    if (compare(r.keys[h]!, r.ids[h]!, k, id) < 0) a = h + 1;
    else z = h;
  }
  return a;
}

/**
 * The positions of `count` fills from rank `r0` of the merged list (the long
 * list and the pending fills read as one): a binary search for how many
 * pending fills rank before r0, then a merge of `count` steps.
 */
function rowsAt(v: ListView, r0: number, count: number): number[] {
  const { main, pend } = v;
  const m = main.ids.length;
  const np = pend.ids.length;
  // A pending fill's rank in the merged list is its own index plus the long list's entries before it, rising with the index.
  let a = 0;
  let z = np;
  while (a < z) {
    const h = (a + z) >>> 1;
    if (h + before(main, pend.keys[h]!, pend.ids[h]!) < r0) a = h + 1;
    else z = h;
  }
  let j = a;
  let i = r0 - a;
  const out: number[] = [];
  while (out.length < count && (i < m || j < np)) {
    if (j >= np || (i < m && compare(main.keys[i]!, main.ids[i]!, pend.keys[j]!, pend.ids[j]!) < 0)) out.push(main.ids[i++]!);
    else out.push(pend.ids[j++]!);
  }
  return out;
}

/** Merges the pending fills into the long list, `step` entries a turn; windows keep reading the old lists until the last turn. */
async function mergeSliced(b: Built, pause: () => Promise<void>, step: number): Promise<void> {
  const m = new Merge(b);
  while (!m.run(step)) await pause();
  m.finish();
}

/** A merge of the long list and the pending fills into new arrays, resumable. */
class Merge {
  private readonly main: Run;
  private readonly pend: Pending;
  private readonly outIds: Int32Array;
  private readonly outKeys: Float64Array | string[];
  private i = 0;
  private j = 0;
  private o = 0;

  constructor(private readonly b: Built) {
    this.main = b.main;
    this.pend = b.pend;
    const n = b.main.ids.length + b.pend.ids.length;
    this.outIds = new Int32Array(n);
    this.outKeys = b.main.keys instanceof Float64Array ? new Float64Array(n) : new Array<string>(n);
  }

  /** Copies up to `step` entries; true when done. */
  run(step: number): boolean {
    const { main, pend, outIds, outKeys } = this;
    const stop = Math.min(outIds.length, this.o + step);
    const m = main.ids.length;
    const np = pend.ids.length;
    let { i, j, o } = this;
    for (; o < stop; o++) {
      if (j >= np || (i < m && compare(main.keys[i]!, main.ids[i]!, pend.keys[j]!, pend.ids[j]!) < 0)) {
        outIds[o] = main.ids[i]!;
        outKeys[o] = main.keys[i++]!;
      } else {
        outIds[o] = pend.ids[j]!;
        outKeys[o] = pend.keys[j++]!;
      }
    }
    this.i = i;
    this.j = j;
    this.o = o;
    return o >= outIds.length;
  }

  /** Installs the merged list, unless the lists changed under it meanwhile (then the pending fills stay pending). */
  finish(): void {
    if (this.b.main !== this.main || this.b.pend !== this.pend) return;
    this.b.main = { ids: this.outIds, keys: this.outKeys };
    this.b.pend = NO_PENDING;
  }
}

function compare(ka: Key, ia: number, kb: Key, ib: number): number {
  if (ka < kb) return -1;
  if (ka > kb) return 1;
  return ia - ib;
}

/** A number sort key of `f`, each read by its field's name (a keyed read of a double field makes a heap number). */
function numberKey(f: FillRecord, key: FillSortKey): number {
  switch (key) {
    case 'seq':
      return f.seq;
    case 'ts':
      return f.ts;
    case 'execId':
      return f.execId;
    case 'orderId':
      return f.orderId;
    case 'quantity':
      return f.quantity;
    case 'price':
      return f.price;
    case 'notional':
      return f.quantity * f.price;
    default:
      throw new Error(`not a number sort key: ${key}`);
  }
}

function sortValue(f: FillRecord, key: FillSortKey, client: string | undefined): Key {
  if (key === 'clientId') return client ?? '';
  return TEXT_KEYS.has(key) ? f[key as keyof FillRecord] : numberKey(f, key);
}
