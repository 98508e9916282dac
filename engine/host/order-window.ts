import type { OrderView } from '../../contract/api.ts';
import { TERMINAL_STATES } from '../../contract/domain.ts';
import type { OrderState } from '../../contract/domain.ts';
import { orderFilterOf } from '../../contract/order-window.ts';
import type { OrderSelection, OrderSortKey, OrderWindow, OrderWindowQuery } from '../../contract/order-window.ts';
import type { OmsProjection, ReadonlyOrder } from '../oms/projection.ts';
import { orderView } from '../oms/views.ts';
import { TURN_BUDGET_MS, rowsInTurns } from './turn-budget.ts';

/** Rows one window answers by default, and at most. */
export const ORDER_WINDOW_DEFAULT = 200;
export const ORDER_WINDOW_MAX = 2000;
/**
 * How long a filtered, sorted order list is reused while events stream in
 * (decision 150), at least: a rebuild is a pass over the session (about 0.3 s
 * per 200,000 orders on the loaded build machine), so the list is kept for
 * five times its last build, never less than this. Rows' contents are always
 * read fresh; only which rows match, their order and the working count can
 * be this old. New orders of a list sorted by a field an order never changes
 * (entry time, id, client, symbol, …) and filtered on such fields only are
 * added at every request without a rebuild when they sort after every row
 * (entry time and id: always).
 */
export const ORDER_WINDOW_MAX_AGE_MS = 1000;

const TERMINAL = new Set<OrderState>(TERMINAL_STATES);
const FIXED_KEYS = new Set<OrderSortKey>(['createdTs', 'orderId', 'clientId', 'symbol', 'side', 'orderType', 'timeInForce']);

interface Built {
  readonly projection: OmsProjection;
  readonly key: string;
  seq: number;
  /** When the last full pass was made, and how long it took. */
  readonly at: number;
  readonly buildMs: number;
  /** Matching orderIds, ascending by (key, orderId); a window in `desc` reads it from the end (a fixed list's grows: appendNew). */
  ids: IdList;
  /** The sort key of the last id (for appending new orders). */
  lastKey: number | string | undefined;
  /** Rows of the projection looked at (orders are appended, never removed, within a session). */
  rows: number;
  /** Working orders counted at the last full pass, plus new working ones since. */
  working: number;
  /** The filter and sort read only fields an order never changes: a listed order keeps its place. */
  readonly fixed: boolean;
  /**
   * A list whose orders can move (not `fixed`): per row of the projection, what the list took it as (WORKING: counted
   * in `working`; LISTED: in `ids`), so that a stale list is repaired by re-reading only the orders touched since
   * `seq` (decision 232).
   */
  readonly flags?: Uint8Array;
}

/**
 * A kept list's orderIds: an Int32Array (decisions 232, 242): a million-order JS array is ~10 MB of old space per
 * build or repair (and as much again in the copies its growth makes), nearer the next full collection; a typed
 * array's memory is outside the collected heap. A list that new orders are appended to (`fixed`) is a view on a
 * larger buffer (appendIds): appends fill the headroom in place, and a full buffer is replaced by one a quarter
 * larger. (The unsliced `build`, for tests and small sessions, still answers a JS array, appended to by push.)
 */
type IdList = number[] | Int32Array;

/** A fixed list's ids in a buffer with room for appends (an eighth more, at least 1,024). */
function withHeadroom(ids: Int32Array): Int32Array {
  const out = new Int32Array(ids.length + Math.max(1024, ids.length >> 3));
  out.set(ids);
  return out.subarray(0, ids.length);
}

/** `ids` with `add` appended: in place in the buffer's headroom, else in a new buffer a quarter larger. */
function appendIds(ids: IdList, add: readonly number[]): IdList {
  if (Array.isArray(ids)) {
    for (const id of add) ids.push(id);
    return ids;
  }
  const n = ids.length;
  const m = n + add.length;
  const room = (ids.buffer.byteLength - ids.byteOffset) >> 2;
  let store: Int32Array;
  if (m <= room) store = new Int32Array(ids.buffer, ids.byteOffset, room);
  else {
    store = new Int32Array(Math.max(m + 1024, m + (m >> 2)));
    store.set(ids);
  }
  store.set(add, n);
  return store.subarray(0, m);
}

/** Row flags of a kept list (Built.flags). */
const WORKING = 1;
const LISTED = 2;
/** A stale list with more than this share of its rows touched since its build is built afresh, not repaired. */
const REPAIR_MAX_SHARE = 1 / 8;

/**
 * The orders blotter's server-side window (getOrderWindow): filter, sort and
 * slice the live projection, with counts. One built list is kept (the
 * blotter shows one view at a time); a new filter or sort builds afresh.
 */
export class OrderWindows {
  private built: Built | undefined;
  /** A list being built in slices (windowSliced), shared by the calls that ask for it meanwhile. */
  private building: { key: string; projection: OmsProjection; done: Promise<Built> } | undefined;
  /** Stale lists repaired (decision 232) rather than built afresh, and lists built afresh (tests and figures). */
  repairs = 0;
  builds = 0;

  constructor(
    private readonly now: () => number = () => performance.now(),
    private readonly maxAgeMs = ORDER_WINDOW_MAX_AGE_MS,
  ) {}

  /** One window of `p`'s orders for `q` (rows `offset` inclusive to `offset+limit` exclusive), built at once. */
  window(p: OmsProjection, q: OrderWindowQuery): OrderWindow {
    return this.cut(p, q, this.list(p, q));
  }

  /**
   * Like window, but a list that must be built is built in slices of at
   * most SLICE_ROWS orders, the sort in sorted runs and merges of bounded
   * size, each slice a turn of the event loop (`pause`): on the host's
   * thread a million orders sorted by a changing field held the loop for
   * about a second in one piece (issue #11's 50 ms). Orders that change
   * while it is built are read as they are when their slice runs; the list
   * may be up to a second old anyway (decision 150).
   */
  async windowSliced(p: OmsProjection, q: OrderWindowQuery, pause: () => Promise<void> = nextTurn, slice = SLICE_ROWS): Promise<OrderWindow> {
    return this.cut(p, q, await this.listSliced(p, q, pause, slice));
  }

  /** selection, from a list built in slices (windowSliced's): for the host's thread (cancelSelection). */
  async selectionSliced(p: OmsProjection, s: OrderSelection, pause: () => Promise<void> = nextTurn, slice = SLICE_ROWS): Promise<number[] | undefined> {
    return selectFrom(await this.listSliced(p, s, pause, slice), s);
  }

  private async listSliced(p: OmsProjection, q: OrderWindowQuery, pause: () => Promise<void>, slice: number): Promise<Built> {
    const key = listKey(q);
    const reused = this.reuse(p, q, key);
    if (reused) return reused;
    let job = this.building;
    if (!job || job.key !== key || job.projection !== p) {
      // A text filter reads every text field of each order: about four times a plain row's cost.
      const rows = (q.text ?? '').trim() === '' ? slice : Math.max(1, Math.floor(slice / 4));
      const old = this.built;
      // A stale list of orders that move (by price, by state, …) is repaired: only the orders touched since it was
      // built are re-read and re-placed (decision 232); a rebuild was ~0.9 s of CPU at 1.2 M orders every ~5 s.
      const done =
        old && old.projection === p && old.key === key && old.flags
          ? repairSliced(old, p, q, this.now, pause, rows).then((r) => {
              if (r) this.repairs++;
              else this.builds++;
              return r ?? buildSliced(p, q, key, this.now, pause, rows);
            })
          : this.counted(buildSliced(p, q, key, this.now, pause, rows));
      job = this.building = { key, projection: p, done };
      void done.then(
        (b) => {
          if (this.building?.done === done) this.building = undefined;
          this.built = b;
        },
        () => {
          if (this.building?.done === done) this.building = undefined;
        },
      );
    }
    return job.done;
  }

  private counted(build: Promise<Built>): Promise<Built> {
    this.builds++;
    return build;
  }

  private cut(p: OmsProjection, q: OrderWindowQuery, b: Built): OrderWindow {
    const n = b.ids.length;
    const desc = (q.dir ?? 'desc') === 'desc';
    const offset = Math.max(0, Math.min(q.offset ?? 0, n));
    const end = Math.min(n, offset + Math.min(q.limit ?? ORDER_WINDOW_DEFAULT, ORDER_WINDOW_MAX));
    const orders: OrderView[] = [];
    for (let i = offset; i < end; i++) {
      const o = p.order(b.ids[desc ? n - 1 - i : i] as number);
      if (o) orders.push(orderView(o));
    }
    return { session: p.session.id, seq: b.seq, offset, orders, total: n, orderCount: p.orderCount, working: b.working };
  }

  /**
   * The orderIds of a blotter selection in the blotter's order (decision 164):
   * every matching order, or the rows from `fromId` to `toId` (both included,
   * either order) of the same list a window is cut from. An end that no
   * longer matches is placed at the row the blotter saw it at (`from`/`to`);
   * undefined when an end is neither listed nor placed.
   */
  selection(p: OmsProjection, s: OrderSelection): number[] | undefined {
    return selectFrom(this.list(p, s), s);
  }

  private list(p: OmsProjection, q: OrderWindowQuery): Built {
    const key = listKey(q);
    const reused = this.reuse(p, q, key);
    if (reused) return reused;
    const t0 = this.now();
    this.built = build(p, q, key, t0);
    return this.built;
  }

  /** The built list when it still answers `q` (unchanged, or young enough, new orders appended where they can be). */
  private reuse(p: OmsProjection, q: OrderWindowQuery, key: string): Built | undefined {
    const b = this.built;
    if (!b || b.projection !== p || b.key !== key) return undefined;
    if (b.seq === p.lastSeq) return b;
    const fresh = this.now() - b.at < Math.max(this.maxAgeMs, 5 * b.buildMs);
    return fresh && (!b.fixed || appendNew(b, p, q)) ? b : undefined;
  }
}

/** A selection's ids off a built list (OrderWindows.selection). */
function selectFrom(b: Built, s: OrderSelection): number[] | undefined {
  const n = b.ids.length;
  const desc = (s.dir ?? 'desc') === 'desc';
  const at = (row: number): number => b.ids[desc ? n - 1 - row : row] as number;
  if (s.fromId === undefined || s.toId === undefined) return desc ? [...b.ids].reverse() : [...b.ids];
  // Rows are read off the kept list in place: a range of a million-order list costs its own length.
  const rowOf = (id: number, seen: number | undefined): number | undefined => {
    const i = b.ids.indexOf(id);
    if (i >= 0) return desc ? n - 1 - i : i;
    return seen === undefined ? undefined : Math.min(seen, n - 1);
  };
  const a = rowOf(s.fromId, s.from);
  const z = rowOf(s.toId, s.to);
  if (a === undefined || z === undefined || n === 0) return undefined;
  const out: number[] = [];
  for (let r = Math.min(a, z); r <= Math.max(a, z); r++) out.push(at(r));
  return out;
}

/** Orders looked at, and sorted (merged: four times as many), per slice of a sliced build: 5-20 ms each here. */
export const SLICE_ROWS = 20_000;

/** One turn of the event loop. */
export function nextTurn(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

/** The direction is not part of the key: one ascending list answers both. */
function listKey(q: OrderWindowQuery): string {
  return JSON.stringify([q.state ?? 'all', q.symbol ?? '', q.side ?? '', q.timeInForce ?? '', q.clientId ?? '', (q.text ?? '').trim().toLowerCase(), q.sort ?? 'createdTs']);
}

/** build, a slice at a time (windowSliced). `buildMs` counts the slices' own time, not the turns between. */
async function buildSliced(p: OmsProjection, q: OrderWindowQuery, key: string, now: () => number, pause: () => Promise<void>, slice: number): Promise<Built> {
  const at = now();
  const seq = p.lastSeq;
  const rows = p.orderCount;
  const c = new RowCollector(q, rows);
  const add = (o: ReadonlyOrder): void => c.add(o);
  let ms = 0;
  // The arrays' allocation (and their pages' first touch) in a turn before the first slice's.
  await pause();
  // One cursor moved along the rows (an object per order was most of a build's garbage at a million orders);
  // a slice ends early past the turn's time budget (a new query's first rows run before V8 optimises it).
  ms += await rowsInTurns(0, rows, slice, pause, (lo, hi) => p.forEachOrder(lo, hi, add));
  let sorted: IdList;
  const fixed = isFixed(q);
  // (The copy of an in-order list is not counted in buildMs: its time with the pauses would be wall time.)
  if (c.inOrder) sorted = fixed ? withHeadroom(c.ids) : c.ids.slice();
  else {
    const r = await sortSliced(c.ids, c.keys, pause, slice);
    sorted = fixed ? withHeadroom(r.ids) : r.ids;
    ms += r.ms;
  }
  return { projection: p, key, seq, at, buildMs: ms, ids: sorted, lastKey: c.lastKeyOf(p, sorted), rows, working: c.working, fixed: isFixed(q), ...c.flagsOf() };
}

/**
 * `b` brought up to the projection as it is now (decision 232): the orders touched since `b.seq` (every event that
 * changes an order touches it: OmsProjection.orderTouchedSeq) and the new ones are re-read; those `b` listed leave
 * the list, those that match now go in at their place (binary search by key, then id, among the untouched ones,
 * whose keys are as they were when placed). The same rows as a build of the projection as it is now; a turn at a
 * time (`slice` rows of the scan for touched orders a turn, within the turn budget). Undefined (build afresh) when
 * more than REPAIR_MAX_SHARE of the rows were touched.
 */
async function repairSliced(b: Built, p: OmsProjection, q: OrderWindowQuery, now: () => number, pause: () => Promise<void>, slice: number): Promise<Built | undefined> {
  const at = now();
  const seq = p.lastSeq;
  const rows = p.orderCount;
  const old = b.flags!;
  const touched: number[] = [];
  // The scan reads one seq per row (no order object): 8 × a build's slice a turn.
  let ms = await rowsInTurns(0, b.rows, slice * 8, pause, (lo, hi) => {
    for (let r = lo; r < hi; r++) if (p.orderTouchedSeq(r) > b.seq) touched.push(r);
  });
  if (touched.length + (rows - b.rows) > REPAIR_MAX_SHARE * Math.max(rows, 1)) return undefined;
  for (let r = b.rows; r < rows; r++) touched.push(r);
  const flags = new Uint8Array(rows);
  flags.set(old.subarray(0, Math.min(old.length, rows)));
  const match = orderFilterOf(q);
  const sortKey: OrderSortKey = q.sort ?? 'createdTs';
  const leaving = new Set<number>();
  const addIds: number[] = [];
  const addKeys: (number | string)[] = [];
  let working = b.working;
  // Each touched order re-read when its turn runs (as a build reads its rows): one touched after this repair began
  // is re-read by the next one (its seq is past `seq`).
  let r = 0;
  const reread = (o: ReadonlyOrder): void => {
    const was = flags[r]!;
    if (was & LISTED) leaving.add(o.orderId);
    const isWorking = !TERMINAL.has(o.state);
    working += (isWorking ? 1 : 0) - (was & WORKING ? 1 : 0);
    const listed = match(o);
    flags[r] = (isWorking ? WORKING : 0) | (listed ? LISTED : 0);
    if (listed) {
      addIds.push(o.orderId);
      addKeys.push(sortValue(o, sortKey));
    }
  };
  ms += await rowsInTurns(0, touched.length, slice, pause, (lo, hi) => {
    for (let i = lo; i < hi; i++) {
      r = touched[i]!;
      p.forEachOrder(r, r + 1, reread);
    }
  });
  const sortedAdd = await sortOrder(addIds, addKeys, pause, slice);
  const order = sortedAdd.order;
  ms += sortedAdd.ms;
  // The untouched listed orders, in their order (the list as it was, less the ones that leave).
  let kept = b.ids;
  if (leaving.size > 0) {
    // Every leaving order is listed once (its LISTED flag): the kept ones are exactly the rest.
    const out = new Int32Array(b.ids.length - leaving.size);
    let o = 0;
    ms += await rowsInTurns(0, b.ids.length, slice * 4, pause, (lo, hi) => {
      for (let i = lo; i < hi; i++) if (!leaving.has(b.ids[i]!)) out[o++] = b.ids[i]!;
    });
    kept = out;
  }
  // Where each new entry goes among the kept: the number of kept rows that sort before it. A kept order's key now
  // is the one it was placed by unless an event touched it since b.seq (while this repair ran, after the scan passed
  // its row): then this repair gives way to a build (rare: it must be one of the ~20 rows a search reads).
  let moved = false;
  const keyOf = (id: number): number | string => {
    const r = p.orderRow(id);
    if (p.orderTouchedSeq(r) > b.seq) moved = true;
    return sortValue(p.order(id)!, sortKey);
  };
  const places = new Int32Array(order.length);
  ms += await rowsInTurns(0, order.length, slice, pause, (from, to) => {
    for (let j = from; j < to && !moved; j++) {
      const x = order[j]!;
      let lo = 0;
      let hi = kept.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        const id = kept[mid]!;
        if (compareRows(keyOf(id), id, addKeys[x]!, addIds[x]!) < 0) lo = mid + 1;
        else hi = mid;
      }
      places[j] = lo;
    }
  });
  if (moved) return undefined;
  let ids = kept;
  if (order.length > 0) {
    const out = new Int32Array(kept.length + order.length);
    let j = 0;
    let o = 0;
    ms += await rowsInTurns(0, kept.length + 1, slice * 4, pause, (lo, hi) => {
      for (let i = lo; i < hi; i++) {
        while (j < order.length && places[j] === i) out[o++] = addIds[order[j++]!]!;
        if (i < kept.length) out[o++] = kept[i]!;
      }
    });
    ids = out;
  }
  // Kept as long as the list it repairs was (5 × the full build's time): repairs come no more often than rebuilds did,
  // so the old arrays they leave (~10 MB a million-order list) are no more garbage a second than before.
  return { projection: p, key: b.key, seq, at, buildMs: Math.max(b.buildMs, ms), ids, lastKey: undefined, rows, working, fixed: false, flags };
}

/** (key, id) order: <0, 0, >0. */
function compareRows(ka: number | string, ia: number, kb: number | string, ib: number): number {
  return ka < kb ? -1 : ka > kb ? 1 : ia - ib;
}

/** Distinct text keys a build codes as numbers (RowCollector); past it, strings per row. */
const TEXT_CODES_MAX = 4096;

/** Order sort keys that are numbers (kept in a Float64Array while a list is built); the rest are text. */
const NUMBER_KEYS = new Set<OrderSortKey>(['createdTs', 'orderId', 'quantity', 'price', 'filledQuantity', 'leavesQuantity', 'avgPrice']);

/**
 * The rows of a list being built (build, buildSliced): the orders that match
 * the filter with their sort keys, the working count of all, and whether they
 * came already sorted. Rows come in the order orders first appeared (ids
 * ascending): when the key never goes down along them, that order is the
 * sorted one. Ids and number keys go into typed arrays sized for every row:
 * a million-entry JS array grown by push is copied whole at each growth, and
 * one of doubles is garbage the scavenger copies (issue #11's long turns).
 */
class RowCollector {
  n = 0;
  private readonly idsAll: Int32Array;
  private readonly nums: Float64Array | undefined;
  /** A text key's rows as codes into `names` (first seen first), until more than TEXT_CODES_MAX distinct keys. */
  private readonly codes: Int32Array | undefined;
  private readonly names: string[] = [];
  private readonly codeOf = new Map<string, number>();
  /** A text key's rows as strings: only past TEXT_CODES_MAX distinct keys. */
  private texts: string[] | undefined;
  working = 0;
  inOrder = true;
  private readonly match: (o: ReadonlyOrder) => boolean;
  private readonly sortKey: OrderSortKey;
  private prevKey: number | string | undefined;
  private prevNum = -Infinity;
  private prevId = -Infinity;

  /** Per row, what the list takes it as (Built.flags): only for a list whose orders can move. */
  private readonly flags: Uint8Array | undefined;
  private row = 0;

  constructor(q: OrderWindowQuery, rows: number) {
    this.flags = isFixed(q) ? undefined : new Uint8Array(rows);
    this.match = orderFilterOf(q);
    this.sortKey = q.sort ?? 'createdTs';
    this.idsAll = new Int32Array(rows);
    this.nums = NUMBER_KEYS.has(this.sortKey) ? new Float64Array(rows) : undefined;
    this.codes = this.nums ? undefined : new Int32Array(rows);
  }

  add(o: ReadonlyOrder): void {
    const r = this.row++;
    const working = !TERMINAL.has(o.state);
    if (working) this.working++;
    const listed = this.match(o);
    if (this.flags) this.flags[r] = (working ? WORKING : 0) | (listed ? LISTED : 0);
    if (!listed) return;
    const id = o.orderId;
    if (this.nums) {
      // A number key read by its getter's name and kept in number fields: read through sortValue (a keyed read of
      // a getter) and kept in `prevKey`, every row made a heap number (decision 242).
      const k = orderNumberKey(o, this.sortKey);
      if (this.inOrder && (k < this.prevNum || id < this.prevId)) this.inOrder = false;
      this.prevNum = k;
      this.prevId = id;
      this.idsAll[this.n] = id;
      this.nums[this.n] = k;
      this.n++;
      return;
    }
    const k = sortValue(o, this.sortKey);
    if (this.inOrder && ((this.prevKey !== undefined && k < this.prevKey) || id < this.prevId)) this.inOrder = false;
    this.prevKey = k;
    this.prevId = id;
    this.idsAll[this.n] = id;
    this.addText(k as string);
    this.n++;
  }

  private addText(k: string): void {
    if (this.texts) {
      this.texts.push(k);
      return;
    }
    let code = this.codeOf.get(k);
    if (code === undefined) {
      if (this.names.length === TEXT_CODES_MAX) {
        // Many distinct keys (free text): strings per row from here on.
        this.texts = Array.from(this.codes!.subarray(0, this.n), (c) => this.names[c]!);
        this.texts.push(k);
        return;
      }
      code = this.names.length;
      this.names.push(k);
      this.codeOf.set(k, code);
    }
    this.codes![this.n] = code;
  }

  /** Built.flags, for a list whose orders can move. */
  flagsOf(): { flags?: Uint8Array } {
    return this.flags ? { flags: this.flags } : {};
  }

  /** The matching orderIds, in the order they came. */
  get ids(): Int32Array {
    return this.idsAll.subarray(0, this.n);
  }

  /**
   * Their sort keys. A text key's codes become each name's rank among the names (ranked as `<` orders strings):
   * numbers that sort the rows exactly as their strings do, in a typed array rather than a million-entry JS array
   * of strings (~10 MB of old space, and as much again in the copies its growth made) per build.
   */
  get keys(): Float64Array | string[] {
    if (this.nums) return this.nums.subarray(0, this.n);
    if (this.texts) return this.texts;
    const byName = this.names.map((_, c) => c).sort((a, b) => (this.names[a]! < this.names[b]! ? -1 : this.names[a]! > this.names[b]! ? 1 : 0));
    const rank = new Float64Array(this.names.length);
    byName.forEach((c, r) => (rank[c] = r));
    const keys = new Float64Array(this.n);
    const codes = this.codes!;
    for (let i = 0; i < this.n; i++) keys[i] = rank[codes[i]!]!;
    return keys;
  }

  /** The sort key of the last row of `sorted`: appendNew extends only a list whose keys never change, so the key read now is the one it was sorted by. */
  lastKeyOf(p: OmsProjection, sorted: ArrayLike<number>): number | string | undefined {
    const last = sorted[sorted.length - 1];
    return last === undefined ? undefined : sortValue(p.order(last)!, this.sortKey);
  }
}

/**
 * `ids` sorted by (keys, ids) (and `order`: the positions in `ids` in sorted order): sortOrder, then the ids copied
 * in sorted order `slice` a turn.
 */
export async function sortSliced(ids: ArrayLike<number>, keys: ArrayLike<number | string>, pause: () => Promise<void>, slice: number): Promise<{ ids: Int32Array; order: Int32Array; ms: number }> {
  const n = ids.length;
  const { order, ms: sortMs } = await sortOrder(ids, keys, pause, slice);
  let ms = sortMs;
  // The ids in sorted order, `slice` a turn: each read from a random place (slice*4 pushed was a 32 ms turn at 1.2 M
  // orders: random reads and the array's growth copies). Typed: outside the collected heap (decision 232).
  const out = new Int32Array(n);
  ms += await rowsInTurns(0, n, slice, pause, (lo, hi) => {
    for (let i = lo; i < hi; i++) out[i] = ids[order[i]!] as number;
  });
  return { ids: out, order, ms };
}

/**
 * The positions of `ids` in the order of (keys, ids), as sortSliced sorts them: runs of a quarter slice sorted one
 * per turn, then merged pairwise, at most `slice`*2 elements a turn (each a comparison of keys read from random
 * places: `slice`*4 was up to a 17 ms turn of CPU at 1.2 M orders). `ms`: the time of the turns' own work.
 */
export async function sortOrder(ids: ArrayLike<number>, keys: ArrayLike<number | string>, pause: () => Promise<void>, slice: number): Promise<{ order: Int32Array; ms: number }> {
  const n = ids.length;
  const before = (a: number, b: number): boolean => {
    const ka = keys[a] as number | string;
    const kb = keys[b] as number | string;
    return ka < kb || (ka === kb && (ids[a] as number) < (ids[b] as number));
  };
  let ms = 0;
  let src = new Int32Array(n);
  for (let i = 0; i < n; i++) src[i] = i;
  // A turn of its own: with the first run's sort (the comparator not yet optimised) it was a 27 ms turn at 1.2 M.
  await pause();
  // Sorted runs of a quarter slice: a comparison sort of 20,000 keys was the longest turn (~60-75 ms quiet at
  // 1.2 M orders); merging is cheaper per element and goes slice*4 elements a turn.
  const runRows = Math.max(1, Math.floor(slice / 4));
  // Sorted in place with one scratch array for all runs: a typed array's sort with a comparator copies the run into a
  // fresh array of tagged values and back (~14 bytes per element of garbage: 20 MB per build at 1.47 M fills).
  const scratch = new Int32Array(Math.min(n, runRows));
  for (let lo = 0; lo < n; lo += runRows) {
    const t0 = performance.now();
    mergeSortRun(src, lo, Math.min(n, lo + runRows), scratch, before);
    ms += performance.now() - t0;
    await pause();
  }
  let dst = new Int32Array(n);
  for (let width = runRows; width < n; width *= 2) {
    let budget = 0;
    let t0 = performance.now();
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(n, lo + width);
      const hi = Math.min(n, lo + 2 * width);
      let i = lo;
      let j = mid;
      for (let o = lo; o < hi; o++) {
        if (j >= hi || (i < mid && !before(src[j]!, src[i]!))) dst[o] = src[i++]!;
        else dst[o] = src[j++]!;
        // At most `slice`*2 elements, and the turn's time budget (checked every 4,096: a cold comparator, a busy core).
        if (++budget >= slice * 2 || ((budget & 4095) === 0 && performance.now() - t0 >= TURN_BUDGET_MS)) {
          budget = 0;
          ms += performance.now() - t0;
          await pause();
          t0 = performance.now();
        }
      }
    }
    ms += performance.now() - t0;
    [src, dst] = [dst, src];
  }
  return { order: src, ms };
}

/**
 * Sorts `a[lo, hi)` in place by `before` (a strict total order): insertion sort of runs of 16, then bottom-up merges
 * through `scratch` (at least hi - lo long). Allocates nothing.
 */
export function mergeSortRun(a: Int32Array, lo: number, hi: number, scratch: Int32Array, before: (x: number, y: number) => boolean): void {
  const RUN = 16;
  for (let s = lo; s < hi; s += RUN) {
    const e = Math.min(hi, s + RUN);
    for (let i = s + 1; i < e; i++) {
      const v = a[i]!;
      let j = i - 1;
      while (j >= s && before(v, a[j]!)) {
        a[j + 1] = a[j]!;
        j--;
      }
      a[j + 1] = v;
    }
  }
  for (let width = RUN; width < hi - lo; width *= 2) {
    for (let s = lo; s < hi; s += 2 * width) {
      const mid = Math.min(hi, s + width);
      const e = Math.min(hi, s + 2 * width);
      if (mid >= e || !before(a[mid]!, a[mid - 1]!)) continue;
      // The left half out to scratch, then merged back into place (the right half is read where it is).
      const len = mid - s;
      for (let k = 0; k < len; k++) scratch[k] = a[s + k]!;
      let i = 0;
      let j = mid;
      let o = s;
      while (i < len && j < e) a[o++] = before(a[j]!, scratch[i]!) ? a[j++]! : scratch[i++]!;
      while (i < len) a[o++] = scratch[i++]!;
    }
  }
}

/** True when the filter and sort read only fields an order never changes. */
function isFixed(q: OrderWindowQuery): boolean {
  return FIXED_KEYS.has(q.sort ?? 'createdTs') && (q.state ?? 'all') === 'all' && (q.text ?? '').trim() === '';
}

function build(p: OmsProjection, q: OrderWindowQuery, key: string, at: number): Built {
  const t0 = performance.now();
  const c = new RowCollector(q, p.orderCount);
  p.forEachOrder(0, p.orderCount, (o) => c.add(o));
  let sorted = Array.from(c.ids);
  if (!c.inOrder) {
    const { ids, keys } = c;
    const idx = Array.from(ids.keys());
    idx.sort((a, b) => {
      const ka = keys[a] as number | string;
      const kb = keys[b] as number | string;
      if (ka < kb) return -1;
      if (ka > kb) return 1;
      return (ids[a] as number) - (ids[b] as number);
    });
    sorted = idx.map((i) => ids[i] as number);
  }
  return { projection: p, key, seq: p.lastSeq, at, buildMs: performance.now() - t0, ids: sorted, lastKey: c.lastKeyOf(p, sorted), rows: p.orderCount, working: c.working, fixed: isFixed(q), ...c.flagsOf() };
}

/**
 * Adds the orders that arrived since the list was built, when each sorts
 * after every listed one (always so by entry time or id). False when one does
 * not: the caller builds the list again.
 */
function appendNew(b: Built, p: OmsProjection, q: OrderWindowQuery): boolean {
  if (p.orderCount > b.rows) {
    const match = orderFilterOf(q);
    const sortKey: OrderSortKey = q.sort ?? 'createdTs';
    const add: number[] = [];
    let lastKey = b.lastKey;
    let working = 0;
    for (const o of p.orders(b.rows)) {
      if (!TERMINAL.has(o.state)) working++;
      if (!match(o)) continue;
      const k = sortValue(o, sortKey);
      // Ties go by id, and a new order's id is above every listed one's.
      if (lastKey !== undefined && k < lastKey) return false;
      lastKey = k;
      add.push(o.orderId);
    }
    // A fixed list's ids (buildSliced: a view with headroom; build: a JS array) are appended to in place.
    if (add.length > 0) b.ids = appendIds(b.ids, add);
    b.lastKey = lastKey;
    b.rows = p.orderCount;
    b.working += working;
  }
  b.seq = p.lastSeq;
  return true;
}

/** A number sort key of `o` (NUMBER_KEYS), each read by its name. */
function orderNumberKey(o: ReadonlyOrder, key: OrderSortKey): number {
  switch (key) {
    case 'createdTs':
      return o.createdTs;
    case 'orderId':
      return o.orderId;
    case 'quantity':
      return o.quantity;
    case 'price':
      return o.price;
    case 'filledQuantity':
      return o.filledQuantity;
    case 'leavesQuantity':
      return o.leavesQuantity;
    case 'avgPrice':
      return o.avgPrice;
    default:
      throw new Error(`not a number sort key: ${key}`);
  }
}

function sortValue(o: ReadonlyOrder, key: OrderSortKey): number | string {
  switch (key) {
    case 'venue':
      return o.venue ?? '';
    case 'rejectReason':
      return o.rejectReason ?? '';
    default:
      return o[key];
  }
}
