import { AHEAD, ChunkMemory, MASK, NIL, SHIFT } from './chunks.ts';

/** CHUNK fills' fields (views of one ArrayBuffer). */
export class FillChunk {
  readonly execId: Float64Array;
  readonly orderId: Float64Array;
  readonly quantity: Float64Array;
  readonly price: Float64Array;
  readonly seq: Float64Array;
  readonly ts: Float64Array;
  /** Index of the previous fill of the same order, or NIL. */
  readonly prevOfOrder: Int32Array;

  constructor() {
    // One buffer for the chunk's columns (ChunkMemory).
    const m = new ChunkMemory(6, 1, 0);
    this.execId = m.f64();
    this.orderId = m.f64();
    this.quantity = m.f64();
    this.price = m.f64();
    this.seq = m.f64();
    this.ts = m.f64();
    this.prevOfOrder = m.i32();
  }
}

/**
 * The session's fills in log order, one column per field; a fill is named by
 * its index (0-based, log order) and linked to the previous fill of its order.
 */
export class FillTable {
  private readonly chunks: FillChunk[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Appends a fill after `prev` (the order's latest fill, or NIL); returns its index. */
  push(execId: number, orderId: number, quantity: number, price: number, seq: number, ts: number, prev: number): number {
    const f = this.count;
    if ((f & MASK) === AHEAD || f === 0) this.grow();
    const k = this.chunks[f >>> SHIFT]!;
    const i = f & MASK;
    k.execId[i] = execId;
    k.orderId[i] = orderId;
    k.quantity[i] = quantity;
    k.price[i] = price;
    k.seq[i] = seq;
    k.ts[i] = ts;
    k.prevOfOrder[i] = prev;
    this.count = f + 1;
    return f;
  }

  /** The next chunk (made ahead: see AHEAD in chunks.ts); apart from `push` so that the hot path stays small enough for V8 to inline. */
  private grow(): void {
    this.chunks.push(new FillChunk());
  }

  execId(f: number): number {
    return this.chunks[f >>> SHIFT]!.execId[f & MASK]!;
  }

  orderId(f: number): number {
    return this.chunks[f >>> SHIFT]!.orderId[f & MASK]!;
  }

  quantity(f: number): number {
    return this.chunks[f >>> SHIFT]!.quantity[f & MASK]!;
  }

  price(f: number): number {
    return this.chunks[f >>> SHIFT]!.price[f & MASK]!;
  }

  seq(f: number): number {
    return this.chunks[f >>> SHIFT]!.seq[f & MASK]!;
  }

  ts(f: number): number {
    return this.chunks[f >>> SHIFT]!.ts[f & MASK]!;
  }

  /** The previous fill of the same order, or NIL. */
  prev(f: number): number {
    return this.chunks[f >>> SHIFT]!.prevOfOrder[f & MASK]!;
  }

  /** True when the chain of fills ending at `last` has one with `execId`. */
  hasExec(last: number, execId: number): boolean {
    for (let f = last; f !== NIL; f = this.prev(f)) if (this.chunks[f >>> SHIFT]!.execId[f & MASK] === execId) return true;
    return false;
  }
}
