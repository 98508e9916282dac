import { KeyTable } from './key-table.ts';

/**
 * Risk's duplicate-order memory: the orders of the last `memoryUs` of
 * sequencer time, by duplicate key, oldest first.
 *
 * Stored in columns because it is the largest per-order structure risk keeps:
 * at 10,000 orders/s a minute is 600,000 orders, in two RiskStates per host
 * (the risk component's and the sequencer policy's). Every remembered order
 * is one entry of a queue in sequencer-time order (order id, time, its key's
 * number, the next entry of the same key): ~24 bytes in four typed arrays,
 * no object per order or per key (bench/mem.ts, 2026-11-29 r4: an object per
 * order was ~180 bytes). A key's orders are the chain of its live entries
 * through the queue, from its oldest; a forgotten (rejected) order is taken
 * out of its chain and stays in the queue, counted, until it leaves the
 * window (as before). Keys are numbered by a KeyTable (typed arrays, no Map).
 *
 * Forgetting is O(1) amortised: the oldest is skipped by moving a head index,
 * and the skipped prefix is cut off in bulk (copyWithin). Restoring a
 * checkpoint's packed memory (decision 255) is a copy of its columns, one
 * pass linking the chains and one pass hashing the keys' text where it lies:
 * building an object, an array and a Map entry per key (each key a string
 * sliced from the text) took a joining component ~1.2 s of CPU at 1.1 M keys.
 */
export class RecentOrders {
  /** Duplicate key → its number; a key is held while it has a live entry (a freed number is reused). */
  private keys = new KeyTable();
  /** Per key number: its oldest live entry and its newest. */
  private keyHead = new Int32Array(16);
  private keyTail = new Int32Array(16);
  /** The queue: entry i's order id, time, key number (-1: forgotten) and next live entry of its key (-1: none). */
  private eOrder = new Float64Array(16);
  private eTs = new Float64Array(16);
  private eKey = new Int32Array(16);
  private eNext = new Int32Array(16);
  private length = 0;
  private head = 0;

  constructor(private readonly memoryUs: number) {}

  /** Orders remembered in the window, rejected (forgotten) ones included until they leave it, as before. */
  get count(): number {
    return this.length - this.head;
  }

  /** Forgets what left the window before `ts`, then remembers `orderId` under `key` at `ts` (sequencer µs, non-decreasing). */
  remember(key: string, orderId: number, ts: number): void {
    if (this.head < this.length && ts - this.eTs[this.length - 1]! > this.memoryUs) {
      // Even the newest left the window (the first order after a pause, or after a restart on an older
      // session): all of it goes at once. Forgetting them one by one cost 130 ms at 250 k orders, inside the
      // first order's commit (issue 11: the first acknowledgements of a restarted host).
      this.clear();
    }
    const eTs = this.eTs;
    while (this.head < this.length && ts - eTs[this.head]! > this.memoryUs) {
      const e = this.head++;
      const k = this.eKey[e]!;
      // A live entry leaving the window is its key's oldest (the queue and every chain are in time order).
      if (k >= 0) {
        const next = this.eNext[e]!;
        if (next < 0) this.dropKey(k);
        else this.keyHead[k] = next;
      }
    }
    if (this.head >= 4096 && this.head * 2 >= this.length) this.compact();
    let k = this.keys.get(key);
    if (k < 0) k = this.addKey(key);
    if (this.length === this.eOrder.length) this.grow();
    const e = this.length++;
    this.eOrder[e] = orderId;
    this.eTs[e] = ts;
    this.eKey[e] = k;
    this.eNext[e] = -1;
    const tail = this.keyTail[k]!;
    if (tail < 0) this.keyHead[k] = e;
    else this.eNext[tail] = e;
    this.keyTail[k] = e;
  }

  /** The first earlier order (lower id) under `key` within `windowUs` before `tsUs`, other than `orderId`. */
  duplicateOf(orderId: number, key: string, tsUs: number, windowUs: number): number | undefined {
    const k = this.keys.get(key);
    if (k < 0 || windowUs <= 0) return undefined;
    for (let e = this.keyHead[k]!; e >= 0; e = this.eNext[e]!) {
      const id = this.eOrder[e]!;
      if (id < orderId && tsUs - this.eTs[e]! <= windowUs) return id;
    }
    return undefined;
  }

  /** Takes `orderId` out of `key`'s list (a rejected order is no reason to refuse the corrected resend). */
  forget(key: string, orderId: number): void {
    const k = this.keys.get(key);
    if (k < 0) return;
    let prev = -1;
    for (let e = this.keyHead[k]!; e >= 0; prev = e, e = this.eNext[e]!) {
      if (this.eOrder[e] !== orderId) continue;
      const next = this.eNext[e]!;
      this.eKey[e] = -1;
      if (prev < 0) this.keyHead[k] = next;
      else this.eNext[prev] = next;
      if (this.keyTail[k] === e) this.keyTail[k] = prev;
      if (this.keyHead[k]! < 0) this.dropKey(k);
      return;
    }
  }

  /** An independent copy with the same live entries. */
  copy(): RecentOrders {
    return RecentOrders.unpack(this.memoryUs, this.pack());
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
    // A forgotten entry's key is no longer known here: the packed queue names it by a key that no list holds
    // (what `unpack` reads as forgotten), one empty key for all of them, after the others.
    let forgotten = false;
    const n = this.length - this.head;
    const queueKey = new Int32Array(n);
    const queueOrder = this.eOrder.slice(this.head, this.length);
    const queueTs = this.eTs.slice(this.head, this.length);
    for (let i = 0; i < n; i++) {
      const k = this.eKey[this.head + i]!;
      if (k >= 0) queueKey[i] = indexOf(this.keys.key(k));
      else {
        forgotten = true;
        queueKey[i] = -1;
      }
    }
    let items = 0;
    const chains: number[] = [];
    for (let k = 0; k < this.keys.bound; k++) {
      if (this.keyHead[k]! < 0) continue;
      chains.push(k);
      for (let e = this.keyHead[k]!; e >= 0; e = this.eNext[e]!) items++;
    }
    const listKey = new Int32Array(chains.length);
    const listCount = new Int32Array(chains.length);
    const listOrder = new Float64Array(items);
    const listTs = new Float64Array(items);
    let at = 0;
    for (let li = 0; li < chains.length; li++) {
      const k = chains[li]!;
      listKey[li] = indexOf(this.keys.key(k));
      const from = at;
      for (let e = this.keyHead[k]!; e >= 0; e = this.eNext[e]!) {
        listOrder[at] = this.eOrder[e]!;
        listTs[at++] = this.eTs[e]!;
      }
      listCount[li] = at - from;
    }
    if (forgotten) {
      const none = keys.length;
      keys.push(FORGOTTEN_KEY);
      for (let i = 0; i < n; i++) if (queueKey[i]! < 0) queueKey[i] = none;
    }
    return { keys, queueKey, queueOrder, queueTs, listKey, listCount, listOrder, listTs };
  }

  /**
   * The memory `pack` took out, back as a RecentOrders: the queue's columns copied, its entries linked into
   * their keys' chains in one pass (an entry is live when it is the next of its key's packed list, in order;
   * else it was forgotten). Keys given as one text (`keyText`, the checkpoint codec's) are hashed where they
   * lie, no string made.
   */
  static unpack(memoryUs: number, m: PackedMemory & Partial<PackedKeyText>): RecentOrders {
    const r = new RecentOrders(memoryUs);
    const n = m.queueKey.length;
    const lists = m.listKey.length;
    r.eOrder = new Float64Array(Math.max(16, n + (n >> 2)));
    r.eTs = new Float64Array(r.eOrder.length);
    r.eKey = new Int32Array(r.eOrder.length);
    r.eNext = new Int32Array(r.eOrder.length);
    r.eOrder.set(m.queueOrder);
    r.eTs.set(m.queueTs);
    r.length = n;
    const cap = Math.max(16, lists + (lists >> 2));
    r.keyHead = new Int32Array(cap).fill(-1);
    r.keyTail = new Int32Array(cap).fill(-1);
    // Key number of each packed key (-1: no list holds it), and where each list's next unmatched item is.
    const text = keyTextOf(m);
    const keyCount = text === undefined ? m.keys.length : text.keyLengths.length;
    const idOf = new Int32Array(keyCount).fill(-1);
    const cursor = new Int32Array(lists);
    const end = new Int32Array(lists);
    for (let li = 0, at = 0; li < lists; li++) {
      const pk = m.listKey[li]!;
      if (pk < 0 || pk >= keyCount || idOf[pk] !== -1) throw new Error('risk memory: a list names no key, or a key twice');
      idOf[pk] = li;
      cursor[li] = at;
      at += m.listCount[li]!;
      end[li] = at;
    }
    if (text === undefined) {
      for (let li = 0; li < lists; li++) r.keys.add(m.keys[m.listKey[li]!]!);
    } else {
      // Each key's span of the text: where it starts (in code units) and its length.
      const starts = new Int32Array(keyCount);
      let units = 0;
      for (let i = 0; i < keyCount; i++) {
        starts[i] = units;
        units += text.keyLengths[i]!;
      }
      if (units * (text.keyWide ? 2 : 1) !== text.keyBytes.byteLength) throw new Error('risk memory: the keys do not add up to their text');
      const at = new Int32Array(lists);
      const len = new Int32Array(lists);
      for (let li = 0; li < lists; li++) {
        at[li] = starts[m.listKey[li]!]!;
        len[li] = text.keyLengths[m.listKey[li]!]!;
      }
      r.keys = KeyTable.fromText(text.keyBytes, text.keyWide, at, len);
    }
    const { eKey, eNext, keyHead, keyTail } = r;
    for (let i = 0; i < n; i++) {
      const q = m.queueKey[i]!;
      const k = q >= 0 && q < keyCount ? idOf[q]! : -1;
      const c = k >= 0 ? cursor[k]! : 0;
      if (k < 0 || c >= end[k]! || m.listOrder[c] !== m.queueOrder[i] || m.listTs[c] !== m.queueTs[i]) {
        eKey[i] = -1;
        eNext[i] = -1;
        continue;
      }
      cursor[k] = c + 1;
      eKey[i] = k;
      eNext[i] = -1;
      const tail = keyTail[k]!;
      if (tail < 0) keyHead[k] = i;
      else eNext[tail] = i;
      keyTail[k] = i;
    }
    for (let li = 0; li < lists; li++) {
      if (cursor[li] !== end[li] || end[li] === (li === 0 ? 0 : end[li - 1])) throw new Error('risk memory: a key\'s list is empty or not in the queue');
    }
    return r;
  }

  /**
   * For the state hash: each key (sorted) with its live entries as `{ orderId, ts }`, oldest first — the same
   * shape the memory had when it held objects, so hashes did not change with the layout.
   */
  *entries(): Generator<[string, { orderId: number; ts: number }[]]> {
    const held: [string, number][] = [];
    for (let k = 0; k < this.keys.bound; k++) if (this.keyHead[k]! >= 0) held.push([this.keys.key(k), k]);
    held.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    for (const [key, k] of held) {
      const out: { orderId: number; ts: number }[] = [];
      for (let e = this.keyHead[k]!; e >= 0; e = this.eNext[e]!) out.push({ orderId: this.eOrder[e]!, ts: this.eTs[e]! });
      yield [key, out];
    }
  }

  private clear(): void {
    this.keys = new KeyTable();
    this.keyHead.fill(-1);
    this.keyTail.fill(-1);
    this.length = 0;
    this.head = 0;
  }

  private addKey(key: string): number {
    const k = this.keys.add(key);
    if (k >= this.keyHead.length) {
      const head = new Int32Array(Math.max(k + 1, this.keyHead.length * 2)).fill(-1);
      const tail = new Int32Array(head.length).fill(-1);
      head.set(this.keyHead);
      tail.set(this.keyTail);
      this.keyHead = head;
      this.keyTail = tail;
    }
    this.keyHead[k] = -1;
    this.keyTail[k] = -1;
    return k;
  }

  /** The key's last live entry went: its number is free again. */
  private dropKey(k: number): void {
    this.keys.delete(k);
    this.keyHead[k] = -1;
    this.keyTail[k] = -1;
  }

  private grow(): void {
    const cap = this.eOrder.length * 2;
    const order = new Float64Array(cap);
    const ts = new Float64Array(cap);
    const key = new Int32Array(cap);
    const next = new Int32Array(cap);
    order.set(this.eOrder.subarray(0, this.length));
    ts.set(this.eTs.subarray(0, this.length));
    key.set(this.eKey.subarray(0, this.length));
    next.set(this.eNext.subarray(0, this.length));
    this.eOrder = order;
    this.eTs = ts;
    this.eKey = key;
    this.eNext = next;
  }

  /** Cuts off the queue's skipped prefix: entries move down by `head`, and every index into them with them. */
  private compact(): void {
    const by = this.head;
    const n = this.length - by;
    this.eOrder.copyWithin(0, by, this.length);
    this.eTs.copyWithin(0, by, this.length);
    this.eKey.copyWithin(0, by, this.length);
    this.eNext.copyWithin(0, by, this.length);
    const next = this.eNext;
    for (let i = 0; i < n; i++) if (next[i]! >= 0) next[i] = next[i]! - by;
    for (let k = 0; k < this.keys.bound; k++) {
      if (this.keyHead[k]! >= 0) {
        this.keyHead[k] = this.keyHead[k]! - by;
        this.keyTail[k] = this.keyTail[k]! - by;
      }
    }
    this.length = n;
    this.head = 0;
  }
}

/** The packed queue's key for its forgotten entries (no list holds it; a real key is never empty). */
const FORGOTTEN_KEY = '';

/**
 * The keys of a packed memory as one text (the checkpoint codec's form, `keys` then empty): Latin-1 bytes, or
 * UTF-16LE when a key holds a character past U+00FF (`keyWide`), and each key's length in code units.
 */
export interface PackedKeyText {
  readonly keyBytes: Uint8Array;
  readonly keyWide: boolean;
  readonly keyLengths: Int32Array;
}

/** The keys' text when `m` carries its keys that way (and no strings). */
function keyTextOf(m: PackedMemory & Partial<PackedKeyText>): PackedKeyText | undefined {
  const { keyBytes, keyLengths } = m;
  if (!(keyBytes instanceof Uint8Array) || !(keyLengths instanceof Int32Array) || m.keys.length > 0) return undefined;
  return { keyBytes, keyWide: m.keyWide === true, keyLengths };
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

