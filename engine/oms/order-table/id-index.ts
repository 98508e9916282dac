/** How far past the end of the dense range a new orderId may land and still be indexed densely. */
export const MAX_DENSE_GAP = 4096;

/**
 * orderId → row. Dense for the common case (the client proxy numbers orders
 * sequentially from the session's orderIdBase): an Int32Array by
 * orderId - base. Anything else (restored orders of earlier sessions, an id
 * below the base or more than MAX_DENSE_GAP past the dense range) goes to a
 * map.
 */
export class IdIndex {
  /** row + 1 by orderId - base; 0 for none. */
  private dense = new Int32Array(0);
  private denseLength = 0;
  private readonly sparse = new Map<number, number>();

  constructor(private readonly base: number) {}

  /** The row of `orderId`, or -1. */
  get(orderId: number): number {
    const i = orderId - this.base;
    if (i >= 0 && i < this.denseLength) {
      const r = this.dense[i]!;
      if (r !== 0) return r - 1;
    }
    if (this.sparse.size === 0) return -1;
    return this.sparse.get(orderId) ?? -1;
  }

  /** Records that `orderId` is at `row` (orderId not yet indexed). */
  set(orderId: number, row: number): void {
    const i = orderId - this.base;
    if (i >= 0 && i < this.denseLength) {
      this.dense[i] = row + 1;
    } else if (i >= this.denseLength && i <= this.denseLength + MAX_DENSE_GAP && Number.isSafeInteger(i)) {
      if (i >= this.dense.length) this.grow(i);
      this.dense[i] = row + 1;
      this.denseLength = i + 1;
    } else {
      this.sparse.set(orderId, row);
    }
  }

  /**
   * Room for index `i` in the dense array. From a small start, so the first few growths run early, while V8
   * records feedback for this path (AHEAD in chunks.ts); apart from `set`, which OrderTable.add inlines.
   */
  private grow(i: number): void {
    const next = new Int32Array(Math.max(16, (i + 1) * 2));
    next.set(this.dense.subarray(0, this.denseLength));
    this.dense = next;
  }

  /** How many ids live in the map rather than the dense array (for tests). */
  get sparseCount(): number {
    return this.sparse.size;
  }
}
