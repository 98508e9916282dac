import type { ByteWriter } from './bytes.ts';

/** Above this many strings a table indexes them in a hash table; below, a scan is cheaper. */
const SCAN_LIMIT = 16;

/**
 * A hash of `s` for StringTable's slots: its length and up to 16 characters from each end, mixed. Equality is
 * still checked on the whole string; the hash only picks where to look.
 */
function hashOf(s: string): number {
  const n = s.length;
  let h = n;
  const head = n < 16 ? n : 16;
  for (let k = 0; k < head; k++) h = (Math.imul(h, 31) + s.charCodeAt(k)) | 0;
  for (let k = n - 16 > head ? n - 16 : head; k < n; k++) h = (Math.imul(h, 31) + s.charCodeAt(k)) | 0;
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return h ^ (h >>> 12);
}

/**
 * A frame's or batch's strings, each once, numbered in order of first use.
 * Small tables (a command batch, a frame of a few events) are searched by scan
 * and allocate nothing; bigger ones index their strings in an open-addressing
 * table of their own, kept (with its size) from one frame to the next and
 * emptied by moving to a new stamp: a JavaScript Map was cleared and regrown
 * for every frame and hashed in a builtin call, about a fifth of encodeFrame's
 * CPU (decision 237). The table keeps references to an earlier frame's strings
 * until their slots are reused (as many as the biggest frame had).
 */
export class StringTable {
  readonly list: string[] = [];
  /** The last string looked up and its id: runs of one source or symbol skip the search. */
  private last: string | undefined = undefined;
  private lastId = 0;
  private keys = new Array<string | undefined>(256).fill(undefined);
  private ids = new Int32Array(256);
  /** A slot holds one of this table's strings while its stamp is the table's. */
  private stamps = new Int32Array(256);
  private stamp = 1;
  private mask = 255;

  id(s: string): number {
    if (s === this.last) return this.lastId;
    const list = this.list;
    const n = list.length;
    let i = -1;
    if (n <= SCAN_LIMIT) {
      for (let k = 0; k < n; k++) {
        if (list[k] === s) {
          i = k;
          break;
        }
      }
      if (i < 0) {
        i = n;
        list.push(s);
        if (n + 1 > SCAN_LIMIT) for (let k = 0; k <= n; k++) this.insert(list[k]!, k);
      }
    } else {
      const keys = this.keys;
      const stamps = this.stamps;
      const stamp = this.stamp;
      const mask = this.mask;
      let slot = hashOf(s) & mask;
      while (stamps[slot] === stamp) {
        if (keys[slot] === s) {
          i = this.ids[slot]!;
          break;
        }
        slot = (slot + 1) & mask;
      }
      if (i < 0) {
        i = n;
        list.push(s);
        keys[slot] = s;
        this.ids[slot] = i;
        stamps[slot] = stamp;
        if (2 * (n + 1) > mask) this.grow();
      }
    }
    this.last = s;
    this.lastId = i;
    return i;
  }

  /** Puts `s` (not yet in the table) with id `i`. */
  private insert(s: string, i: number): void {
    const mask = this.mask;
    let slot = hashOf(s) & mask;
    while (this.stamps[slot] === this.stamp) slot = (slot + 1) & mask;
    this.keys[slot] = s;
    this.ids[slot] = i;
    this.stamps[slot] = this.stamp;
  }

  /** Twice the slots, every string of the list put again (kept at a load of at most one half). */
  private grow(): void {
    const size = (this.mask + 1) * 2;
    this.keys = new Array<string | undefined>(size).fill(undefined);
    this.ids = new Int32Array(size);
    this.stamps = new Int32Array(size);
    this.stamp = 1;
    this.mask = size - 1;
    const list = this.list;
    for (let k = 0; k < list.length; k++) this.insert(list[k]!, k);
  }

  clear(): void {
    if (this.list.length > SCAN_LIMIT) {
      // A new stamp empties every slot at once; on wrap-around the stamps are zeroed for real.
      if (this.stamp === 0x7fffffff) {
        this.stamps.fill(0);
        this.stamp = 0;
      }
      this.stamp++;
    }
    this.list.length = 0;
    this.last = undefined;
  }

  writeTo(w: ByteWriter): void {
    w.uint(this.list.length);
    for (const s of this.list) w.str(s);
  }
}
