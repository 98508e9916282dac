/**
 * Risk's duplicate-order memory: the orders of the last `memoryUs` of
 * sequencer time, by duplicate key, oldest first.
 *
 * Stored flat because it is the largest per-order structure risk keeps: at
 * 10,000 orders/s a minute is 600,000 orders, in two RiskStates per host (the
 * risk component's and the sequencer policy's). One object per remembered
 * order in a list and another in the forgetting queue, each with a boxed
 * timestamp, cost ~180 bytes an order (bench/mem.ts, 2026-11-29 r4); here an
 * order is two doubles in its key's list and a key reference plus two doubles
 * in the queue (~40 bytes). The queue holds the list's own key string, so an
 * order's key string is not kept alive by the memory.
 *
 * Both the lists and the queue are in sequencer-time order, so forgetting is
 * O(1) amortised: the oldest is skipped by moving a head index, and the
 * skipped prefix is cut off in bulk (never `shift()`: a long array lives in
 * V8's large-object space, where shift() copies it whole — the r3 stall).
 */
export class RecentOrders {
  /** Duplicate key → its list: [orderId, ts, orderId, ts, …] live from pair `head` on. */
  private lists = new Map<string, RecentList>();
  /** Keys of every remembered order in sequencer-time order, from `head` on (the list's key string, shared). */
  private qKeys: string[] = [];
  /** [orderId, ts] per queue entry, pair i beside qKeys[i]. */
  private qPairs: number[] = [];
  private head = 0;

  constructor(private readonly memoryUs: number) {}

  /** Orders remembered in the window, rejected (forgotten) ones included until they leave it, as before. */
  get count(): number {
    return this.qKeys.length - this.head;
  }

  /** Forgets what left the window before `ts`, then remembers `orderId` under `key` at `ts` (sequencer µs, non-decreasing). */
  remember(key: string, orderId: number, ts: number): void {
    if (this.head < this.qKeys.length && ts - this.qPairs[this.qPairs.length - 1]! > this.memoryUs) {
      // Even the newest left the window (the first order after a pause, or after a restart on an older
      // session): all of it goes at once. Forgetting them one by one cost 130 ms at 250 k orders, inside the
      // first order's commit (issue 11: the first acknowledgements of a restarted host).
      this.lists = new Map();
      this.qKeys = [];
      this.qPairs = [];
      this.head = 0;
    }
    const keys = this.qKeys;
    const pairs = this.qPairs;
    while (this.head < keys.length && ts - pairs[this.head * 2 + 1]! > this.memoryUs) {
      const oldKey = keys[this.head]!;
      const oldId = pairs[this.head * 2]!;
      this.head++;
      const l = this.lists.get(oldKey);
      // An order still remembered is its list's oldest (a rejected one may have been taken out already).
      if (l !== undefined && l.items[l.head * 2] === oldId) {
        l.head++;
        if (l.head * 2 === l.items.length) this.lists.delete(oldKey);
        else if (l.head >= 1024 && l.head * 4 >= l.items.length) {
          l.items.splice(0, l.head * 2);
          l.head = 0;
        }
      }
    }
    if (this.head >= 4096 && this.head * 2 >= keys.length) {
      keys.splice(0, this.head);
      pairs.splice(0, this.head * 2);
      this.head = 0;
    }
    let list = this.lists.get(key);
    if (list === undefined) {
      // Most keys hold one order (distinct prices and sizes): an array literal holds exactly two doubles, where
      // push() onto [] would reserve room for 17.
      list = { key, items: [orderId, ts], head: 0 };
      this.lists.set(key, list);
    } else {
      list.items.push(orderId, ts);
    }
    keys.push(list.key);
    pairs.push(orderId, ts);
  }

  /** The first earlier order (lower id) under `key` within `windowUs` before `tsUs`, other than `orderId`. */
  duplicateOf(orderId: number, key: string, tsUs: number, windowUs: number): number | undefined {
    const list = this.lists.get(key);
    if (list === undefined || windowUs <= 0) return undefined;
    const items = list.items;
    for (let i = list.head * 2; i < items.length; i += 2) {
      const id = items[i]!;
      if (id < orderId && tsUs - items[i + 1]! <= windowUs) return id;
    }
    return undefined;
  }

  /** Takes `orderId` out of `key`'s list (a rejected order is no reason to refuse the corrected resend). */
  forget(key: string, orderId: number): void {
    const list = this.lists.get(key);
    if (list === undefined) return;
    const items = list.items;
    for (let i = list.head * 2; i < items.length; i += 2) {
      if (items[i] === orderId) {
        items.splice(i, 2);
        break;
      }
    }
    if (list.head * 2 >= items.length) this.lists.delete(key);
  }

  /** An independent copy with the same live entries. */
  copy(): RecentOrders {
    const r = new RecentOrders(this.memoryUs);
    for (const [k, l] of this.lists) r.lists.set(k, { key: l.key, items: l.items.slice(l.head * 2), head: 0 });
    r.qKeys = this.qKeys.slice(this.head);
    r.qPairs = this.qPairs.slice(this.head * 2);
    return r;
  }

  /**
   * The memory in columns (checkpoints): the queue from its head, then each key's list from its head, in map
   * order; keys as indexes into `keys`. Layout of the checkpoint codec's PackedMemory (decision 140).
   */
  pack(): PackedMemory {
    const keyIndex = new Map<string, number>();
    const keys: string[] = [];
    const indexOf = (k: string): number => {
      let i = keyIndex.get(k);
      if (i === undefined) {
        i = keys.length;
        keys.push(k);
        keyIndex.set(k, i);
      }
      return i;
    };
    const n = this.qKeys.length - this.head;
    const queueKey = new Int32Array(n);
    const queueOrder = new Float64Array(n);
    const queueTs = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      queueKey[i] = indexOf(this.qKeys[this.head + i]!);
      queueOrder[i] = this.qPairs[(this.head + i) * 2]!;
      queueTs[i] = this.qPairs[(this.head + i) * 2 + 1]!;
    }
    let items = 0;
    for (const l of this.lists.values()) items += l.items.length / 2 - l.head;
    const listKey = new Int32Array(this.lists.size);
    const listCount = new Int32Array(this.lists.size);
    const listOrder = new Float64Array(items);
    const listTs = new Float64Array(items);
    let li = 0;
    let at = 0;
    for (const [k, l] of this.lists) {
      listKey[li] = indexOf(k);
      listCount[li++] = l.items.length / 2 - l.head;
      for (let j = l.head * 2; j < l.items.length; j += 2) {
        listOrder[at] = l.items[j]!;
        listTs[at++] = l.items[j + 1]!;
      }
    }
    return { keys, queueKey, queueOrder, queueTs, listKey, listCount, listOrder, listTs };
  }

  /** The memory `pack` took out, back as a RecentOrders. */
  static unpack(memoryUs: number, m: PackedMemory): RecentOrders {
    const r = new RecentOrders(memoryUs);
    for (let li = 0, at = 0; li < m.listKey.length; li++) {
      const key = m.keys[m.listKey[li]!]!;
      const count = m.listCount[li]!;
      // A literal for the common one-order key (as `remember` makes it), else packed doubles.
      let items: number[];
      if (count === 1) items = [m.listOrder[at]!, m.listTs[at++]!];
      else {
        items = [];
        for (let j = 0; j < count; j++, at++) items.push(m.listOrder[at]!, m.listTs[at]!);
      }
      r.lists.set(key, { key, items, head: 0 });
    }
    const n = m.queueKey.length;
    const qKeys: string[] = [];
    const qPairs: number[] = [];
    for (let i = 0; i < n; i++) {
      // m.keys[j] is the very string the list of key j holds (one string per key, not per order): no lookup.
      qKeys.push(m.keys[m.queueKey[i]!]!);
      qPairs.push(m.queueOrder[i]!, m.queueTs[i]!);
    }
    r.qKeys = qKeys;
    r.qPairs = qPairs;
    return r;
  }

  /**
   * For the state hash: each key (sorted) with its live entries as `{ orderId, ts }`, oldest first — the same
   * shape the memory had when it held objects, so hashes did not change with the layout.
   */
  *entries(): Generator<[string, { orderId: number; ts: number }[]]> {
    for (const k of [...this.lists.keys()].sort()) {
      const l = this.lists.get(k)!;
      const out: { orderId: number; ts: number }[] = [];
      for (let i = l.head * 2; i < l.items.length; i += 2) out.push({ orderId: l.items[i]!, ts: l.items[i + 1]! });
      yield [k, out];
    }
  }
}

/** The duplicate memory in columns (checkpoints): see {@link RecentOrders.pack}. */
export interface PackedMemory {
  readonly keys: readonly string[];
  readonly queueKey: Int32Array;
  readonly queueOrder: Float64Array;
  readonly queueTs: Float64Array;
  readonly listKey: Int32Array;
  readonly listCount: Int32Array;
  readonly listOrder: Float64Array;
  readonly listTs: Float64Array;
}

interface RecentList {
  readonly key: string;
  items: number[];
  head: number;
}
