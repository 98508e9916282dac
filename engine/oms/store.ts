/**
 * Allocation-free storage for the projection's hot path. Replay applies
 * millions of events per second; per-event objects and arrays would spend
 * most of that time in the garbage collector, so append-only data (event seqs
 * per order, fills) lives in growable typed arrays, linked per order.
 */

function grownF64(a: Float64Array, size: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(size);
  b.set(a);
  return b;
}

function grownI32(a: Int32Array, size: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(size);
  b.set(a);
  return b;
}

/** End of a chain. */
export const NIL = -1;

/**
 * Many singly linked lists of seqs in two shared arrays: each order keeps the
 * index of its first and last link; appending is O(1) and allocates nothing
 * (amortised growth aside).
 */
export class SeqChains {
  private seqs = new Float64Array(1024);
  private next = new Int32Array(1024);
  private size = 0;

  /** Appends `seq` after link `last` (NIL to start a chain); returns the new link. */
  append(last: number, seq: number): number {
    const i = this.size;
    if (i === this.seqs.length) {
      this.seqs = grownF64(this.seqs, i * 2);
      this.next = grownI32(this.next, i * 2);
    }
    this.seqs[i] = seq;
    this.next[i] = NIL;
    if (last !== NIL) this.next[last] = i;
    this.size = i + 1;
    return i;
  }

  /** The seqs of the chain starting at `first`, in order. */
  toArray(first: number): number[] {
    const out: number[] = [];
    for (let i = first; i !== NIL; i = this.next[i]!) out.push(this.seqs[i]!);
    return out;
  }
}

/** Fills in log order, one column per field, each linked to the previous fill of its order. */
export class FillColumns {
  execId = new Float64Array(1024);
  orderId = new Float64Array(1024);
  quantity = new Float64Array(1024);
  price = new Float64Array(1024);
  seq = new Float64Array(1024);
  ts = new Float64Array(1024);
  /** Index of the previous fill of the same order, or NIL. */
  prevOfOrder = new Int32Array(1024);
  size = 0;

  push(execId: number, orderId: number, quantity: number, price: number, seq: number, ts: number, prev: number): number {
    const i = this.size;
    if (i === this.execId.length) this.grow(i * 2);
    this.execId[i] = execId;
    this.orderId[i] = orderId;
    this.quantity[i] = quantity;
    this.price[i] = price;
    this.seq[i] = seq;
    this.ts[i] = ts;
    this.prevOfOrder[i] = prev;
    this.size = i + 1;
    return i;
  }

  /** True when the chain of fills ending at `last` has one with `execId`. */
  hasExec(last: number, execId: number): boolean {
    for (let i = last; i !== NIL; i = this.prevOfOrder[i]!) if (this.execId[i] === execId) return true;
    return false;
  }

  private grow(n: number): void {
    this.execId = grownF64(this.execId, n);
    this.orderId = grownF64(this.orderId, n);
    this.quantity = grownF64(this.quantity, n);
    this.price = grownF64(this.price, n);
    this.seq = grownF64(this.seq, n);
    this.ts = grownF64(this.ts, n);
    this.prevOfOrder = grownI32(this.prevOfOrder, n);
  }
}

/** How far past the end of the dense range a new orderId may land and still be stored densely. */
const MAX_DENSE_GAP = 4096;

/**
 * Orders by orderId. The client proxy allocates ids sequentially from the
 * session's orderIdBase, so those live in an array indexed by
 * orderId - base; anything else (restored orders from earlier sessions, a
 * stray id far ahead) goes to a Map. `list` keeps first-appearance order.
 */
export class OrderTable<T extends { readonly orderId: number }> {
  private readonly dense: (T | undefined)[] = [];
  private readonly sparse = new Map<number, T>();
  readonly list: T[] = [];

  constructor(private readonly base: number) {}

  get(orderId: number): T | undefined {
    const i = orderId - this.base;
    if (i >= 0 && i < this.dense.length) {
      const o = this.dense[i];
      if (o !== undefined) return o;
    }
    return this.sparse.size === 0 ? undefined : this.sparse.get(orderId);
  }

  /** Adds an order whose id is not in the table yet. */
  add(o: T): void {
    const i = o.orderId - this.base;
    const dense = this.dense;
    if (i >= 0 && i < dense.length) {
      dense[i] = o;
    } else if (i >= dense.length && i <= dense.length + MAX_DENSE_GAP && Number.isSafeInteger(i)) {
      while (dense.length < i) dense.push(undefined);
      dense.push(o);
    } else {
      this.sparse.set(o.orderId, o);
    }
    this.list.push(o);
  }

  get size(): number {
    return this.list.length;
  }
}
