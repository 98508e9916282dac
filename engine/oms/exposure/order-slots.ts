/** Slots a page: a page is 2 KiB of references, made when its first order arrives and dropped with its last. */
const PAGE_SHIFT = 8;
const PAGE = 1 << PAGE_SHIFT;

interface Page<T> {
  readonly slots: (T | undefined)[];
  live: number;
}

/**
 * Live orders by orderId (decision 258): the orders of one page of 256
 * consecutive ids in a fixed array, the pages in a Map. Orders come and go
 * all the time (risk books each at OrderPending and drops it when it ends);
 * a Map of orders grew and shrank its table with the book, and past ~5,000
 * orders each new table was a large object (fresh pages from the kernel,
 * zeroed, faulted in). Pages here are small, made and dropped once per 256
 * orders, and the page of the last lookup is kept, so a run of nearby ids
 * finds its page without a hash lookup. An id that is not a non-negative
 * safe integer (no valid event has one) is kept in a Map of its own.
 * Iteration is by page in the order pages were made, then slot order: not
 * insertion order (callers sort).
 */
export class OrderSlots<T> {
  private pages = new Map<number, Page<T>>();
  private other = new Map<number, T>();
  private lastNo = -1;
  private lastPage: Page<T> | undefined = undefined;
  private count = 0;

  get size(): number {
    return this.count;
  }

  private page(orderId: number): Page<T> | undefined {
    const no = orderId >>> PAGE_SHIFT;
    if (no === this.lastNo) return this.lastPage;
    const p = this.pages.get(no);
    if (p !== undefined) {
      this.lastNo = no;
      this.lastPage = p;
    }
    return p;
  }

  get(orderId: number): T | undefined {
    if (!isSlotId(orderId)) return this.other.get(orderId);
    return this.page(orderId)?.slots[orderId & (PAGE - 1)];
  }

  has(orderId: number): boolean {
    return this.get(orderId) !== undefined;
  }

  /** Keeps `value` for `orderId` (replacing one kept before). */
  set(orderId: number, value: T): void {
    if (!isSlotId(orderId)) {
      if (!this.other.has(orderId)) this.count++;
      this.other.set(orderId, value);
      return;
    }
    let p = this.page(orderId);
    if (p === undefined) {
      p = { slots: new Array<T | undefined>(PAGE).fill(undefined), live: 0 };
      const no = orderId >>> PAGE_SHIFT;
      this.pages.set(no, p);
      this.lastNo = no;
      this.lastPage = p;
    }
    const i = orderId & (PAGE - 1);
    if (p.slots[i] === undefined) {
      p.live++;
      this.count++;
    }
    p.slots[i] = value;
  }

  delete(orderId: number): boolean {
    if (!isSlotId(orderId)) {
      const had = this.other.delete(orderId);
      if (had) this.count--;
      return had;
    }
    const p = this.page(orderId);
    const i = orderId & (PAGE - 1);
    if (p === undefined || p.slots[i] === undefined) return false;
    p.slots[i] = undefined;
    this.count--;
    if (--p.live === 0) {
      const no = orderId >>> PAGE_SHIFT;
      this.pages.delete(no);
      if (this.lastNo === no) {
        this.lastNo = -1;
        this.lastPage = undefined;
      }
    }
    return true;
  }

  *entries(): IterableIterator<[number, T]> {
    for (const [no, p] of this.pages) {
      for (let i = 0; i < PAGE; i++) {
        const v = p.slots[i];
        if (v !== undefined) yield [no * PAGE + i, v];
      }
    }
    yield* this.other;
  }

  *values(): IterableIterator<T> {
    for (const [, v] of this.entries()) yield v;
  }

  *keys(): IterableIterator<number> {
    for (const [k] of this.entries()) yield k;
  }

  [Symbol.iterator](): IterableIterator<[number, T]> {
    return this.entries();
  }
}

/** Ids kept in pages: integers in [0, 2^32) (`>>>` and `&` read them exactly). */
function isSlotId(orderId: number): boolean {
  return orderId >= 0 && orderId <= 0xffffffff && Number.isInteger(orderId);
}
