import { asciiString } from '../../protocol/bytes.ts';
import { prefaultedBuffer } from './chunk-prefault.ts';

/** Bytes per chunk of the pool. */
export const POOL_CHUNK = 1 << 16;
/**
 * Bytes of the first chunk (unless its first string is longer): small, so that
 * the pool moves to its second chunk a few dozen strings in, while V8 records
 * feedback for that path; moving at 64 KiB, in code optimized without it,
 * deoptimized OrderTable.add (see AHEAD in chunks.ts).
 */
const FIRST_CHUNK = 256;

/**
 * ASCII strings as bytes in chunks of 64 KiB (the first one smaller: FIRST_CHUNK),
 * no object per string. A position is chunk × 64 Ki + offset. A string never straddles two chunks: one
 * that does not fit in the rest of the current chunk starts the next one (the
 * rest is left unused), and one longer than a chunk gets a chunk of its own.
 */
export class BytePool {
  private readonly chunks: Uint8Array[] = [];
  /** Where the next string goes. */
  private used = 0;
  /** Where the current chunk ends (a position). */
  private limit = 0;

  /** Stores `s` if it is ASCII and returns its position; -1 if it is not (nothing is kept). */
  putAscii(s: string): number {
    const n = s.length;
    if (n === 0) return 0;
    if (this.used + n > this.limit) this.next(n);
    const at = this.used;
    const chunk = this.chunks[this.chunks.length - 1]!;
    const off = at % POOL_CHUNK;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) return -1;
      chunk[off + i] = c;
    }
    // After a string longer than a chunk (a chunk of its own), the next string starts a new chunk.
    this.used = n <= POOL_CHUNK ? at + n : this.limit;
    return at;
  }

  /**
   * Starts the next chunk, with room for `n` bytes: POOL_CHUNK (the first one FIRST_CHUNK), or `n` for a
   * string longer than that. Apart from `putAscii`, which OrderTable.add inlines.
   */
  private next(n: number): void {
    const size = n > POOL_CHUNK ? n : this.chunks.length === 0 ? Math.max(FIRST_CHUNK, n) : POOL_CHUNK;
    this.used = this.chunks.length * POOL_CHUNK;
    this.limit = this.used + size;
    // A full-size chunk from the column prefault while one is active (chunk-prefault.ts).
    this.chunks.push(new Uint8Array((size === POOL_CHUNK ? prefaultedBuffer(size) : undefined) ?? new ArrayBuffer(size)));
  }

  /** The `n` characters stored at `at`. */
  ascii(at: number, n: number): string {
    if (n === 0) return '';
    return asciiString(this.chunks[Math.floor(at / POOL_CHUNK)]!, at % POOL_CHUNK, n);
  }
}
