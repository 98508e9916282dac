/**
 * Columns are stored in chunks of CHUNK rows: they grow by adding a chunk,
 * never by copying, and a row's chunk never moves. Row r is in chunk
 * r >>> SHIFT at index r & MASK. Only the files of this folder do that
 * arithmetic; everyone else names a row by its number.
 */
import { prefaultedBuffer } from './chunk-prefault.ts';

export const SHIFT = 12;
export const CHUNK = 1 << SHIFT;
export const MASK = CHUNK - 1;

/**
 * A table makes its next chunk when row AHEAD of its current chunk is
 * written, not when the chunk is full (the first chunk with row 0). Growth
 * then runs a few dozen calls into a table's life, when V8 already records
 * type feedback for the function that grows: code optimized later has
 * feedback for the growth path and does not deoptimize on it (growing at row
 * 0 of each chunk deoptimized OrderTable.add, FillTable.push and
 * SeqChains.append once each, and each was compiled again; issue #9,
 * docs/decisions/200). A table so holds one chunk more than its rows need.
 */
export const AHEAD = 32;

/** End of a chain (seq chains, fills of an order). */
export const NIL = -1;

/**
 * The columns of one chunk carved from ONE ArrayBuffer (widest first, so
 * every view is aligned): a chunk of 25 columns is one backing store for the
 * allocator, V8's external-memory accounting and the ArrayBuffer sweeper to
 * handle, not 25. The views are ordinary typed arrays (same element access,
 * same checkpoint bytes: a view is serialized as its own range).
 */
export class ChunkMemory {
  private readonly buffer: ArrayBufferLike;
  private at = 0;

  /** Room for `f64` Float64 columns, `i32` Int32 columns and `u8` Uint8 columns of CHUNK rows. */
  constructor(f64: number, i32: number, u8: number) {
    const bytes = CHUNK * (8 * f64 + 4 * i32 + u8);
    // Memory touched ahead on another thread during a long cold replay (chunk-prefault.ts), else a new buffer.
    this.buffer = prefaultedBuffer(bytes) ?? new ArrayBuffer(bytes);
  }

  f64(): Float64Array {
    const a = new Float64Array(this.buffer, this.at, CHUNK);
    this.at += 8 * CHUNK;
    return a;
  }

  i32(): Int32Array {
    const a = new Int32Array(this.buffer, this.at, CHUNK);
    this.at += 4 * CHUNK;
    return a;
  }

  u8(): Uint8Array {
    const a = new Uint8Array(this.buffer, this.at, CHUNK);
    this.at += CHUNK;
    return a;
  }
}
