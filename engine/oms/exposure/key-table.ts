/**
 * Text keys → small numbers, in typed arrays (decision 255): an
 * open-addressing hash table whose keys are either strings (added while
 * running) or spans of one text restored from a checkpoint (Latin-1 bytes,
 * or UTF-16 when a key holds a character past U+00FF), never turned into
 * strings unless asked for. Restoring a million keys is one pass hashing the
 * text and one insert each into an Int32Array: a JS Map of a million
 * strings took a joining component ~0.6 s of CPU, and slicing the strings
 * out of the text ~0.1 s more.
 *
 * A number is freed when its key is deleted and reused by the next key.
 * Deleted slots are tombstones until the table is rebuilt (at growth, or when
 * they fill a quarter of it).
 */
export class KeyTable {
  /** Slot → key number + 1; 0 empty, -1 deleted. Its length is a power of two, at least twice the keys held. */
  private slots = new Int32Array(16);
  private used = 0;
  private deleted = 0;
  /** Per key number: its hash, and its text: the string, or (undefined) its span of `base`. */
  private hash = new Int32Array(8);
  private str: (string | undefined)[] = [];
  private baseAt = new Int32Array(8);
  private baseLen = new Int32Array(8);
  private base: Uint8Array | undefined;
  private baseWide = false;
  /** Keys still held as spans of `base` (the text goes once none is). */
  private baseKeys = 0;
  private count = 0;
  private readonly free: number[] = [];
  /** Numbers handed out so far (the highest + 1). */
  private top = 0;

  /** Keys held. */
  get size(): number {
    return this.count;
  }

  /** How many numbers were handed out (every held key's number is below it). */
  get bound(): number {
    return this.top;
  }

  /** The key's number, or -1. */
  get(key: string): number {
    const h = hashString(key);
    const mask = this.slots.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const s = this.slots[i]!;
      if (s === 0) return -1;
      if (s > 0 && this.hash[s - 1] === h && this.equals(s - 1, key)) return s - 1;
    }
  }

  /** Adds `key` (not held: see get) and returns its number. */
  add(key: string): number {
    const k = this.take();
    this.hash[k] = hashString(key);
    this.str[k] = key;
    this.place(k);
    return k;
  }

  /** Deletes the key numbered `k`; the number is free for the next key. */
  delete(k: number): void {
    const mask = this.slots.length - 1;
    for (let i = this.hash[k]! & mask; ; i = (i + 1) & mask) {
      const s = this.slots[i]!;
      if (s === 0) throw new Error(`key table: key ${k} is not held`);
      if (s === k + 1) {
        this.slots[i] = -1;
        break;
      }
    }
    this.used--;
    this.deleted++;
    if (this.str[k] === undefined && --this.baseKeys === 0) this.base = undefined;
    this.str[k] = '';
    this.count--;
    this.free.push(k);
    if (this.deleted * 4 > this.slots.length) this.rehash(this.slots.length);
  }

  /** The text of the key numbered `k`, as a string (made from the restored text on first ask, then kept). */
  key(k: number): string {
    let s = this.str[k];
    if (s === undefined) {
      const at = this.baseAt[k]!;
      const n = this.baseLen[k]!;
      const b = this.base!;
      s = Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString(this.baseWide ? 'utf16le' : 'latin1', this.baseWide ? at * 2 : at, this.baseWide ? (at + n) * 2 : at + n);
      this.str[k] = s;
      if (--this.baseKeys === 0) this.base = undefined;
    }
    return s;
  }

  /**
   * A table of `n` keys numbered 0 … n-1, key i the span of `text` (Latin-1 bytes, or UTF-16LE with `wide`)
   * from code unit `at[i]`, `len[i]` code units long. The keys must be distinct. `text` is kept (not copied).
   */
  static fromText(text: Uint8Array, wide: boolean, at: Int32Array, len: Int32Array): KeyTable {
    const t = new KeyTable();
    const n = at.length;
    t.reserve(n);
    t.base = n > 0 ? text : undefined;
    t.baseWide = wide;
    t.baseKeys = n;
    t.baseAt.set(at);
    t.baseLen.set(len);
    t.str = new Array<string | undefined>(n).fill(undefined);
    t.top = n;
    t.count = n;
    for (let k = 0; k < n; k++) {
      t.hash[k] = wide ? hashWide(text, at[k]!, len[k]!) : hashLatin1(text, at[k]!, len[k]!);
      t.place(k);
    }
    return t;
  }

  private equals(k: number, key: string): boolean {
    const s = this.str[k];
    if (s !== undefined) return s === key;
    const n = this.baseLen[k]!;
    if (n !== key.length) return false;
    const b = this.base!;
    const at = this.baseAt[k]!;
    if (this.baseWide) {
      for (let i = 0, j = at * 2; i < n; i++, j += 2) if (key.charCodeAt(i) !== (b[j]! | (b[j + 1]! << 8))) return false;
    } else {
      for (let i = 0; i < n; i++) if (key.charCodeAt(i) !== b[at + i]) return false;
    }
    return true;
  }

  /** A free number, the per-key columns grown to hold it. */
  private take(): number {
    const k = this.free.pop() ?? this.top++;
    if (k >= this.hash.length) this.reserve(k + 1);
    this.count++;
    return k;
  }

  /** Room for key numbers below `n`, and a table at most half full with them. */
  private reserve(n: number): void {
    if (n > this.hash.length) {
      const cap = Math.max(n, this.hash.length * 2);
      const grow = (a: Int32Array) => {
        const b = new Int32Array(cap);
        b.set(a);
        return b;
      };
      this.hash = grow(this.hash);
      this.baseAt = grow(this.baseAt);
      this.baseLen = grow(this.baseLen);
    }
    let size = this.slots.length;
    while (size < n * 2) size *= 2;
    if (size !== this.slots.length) this.rehash(size);
  }

  /** Puts key `k` (its hash set) in the first empty or deleted slot of its probe. */
  private place(k: number): void {
    if ((this.used + this.deleted + 1) * 2 > this.slots.length) this.rehash(this.used * 4 > this.slots.length ? this.slots.length * 2 : this.slots.length);
    const mask = this.slots.length - 1;
    for (let i = this.hash[k]! & mask; ; i = (i + 1) & mask) {
      const s = this.slots[i]!;
      if (s <= 0) {
        if (s < 0) this.deleted--;
        this.slots[i] = k + 1;
        this.used++;
        return;
      }
    }
  }

  /** Rebuilds the slots at `size` (a power of two), without the deleted ones. */
  private rehash(size: number): void {
    const old = this.slots;
    this.slots = new Int32Array(size);
    this.used = 0;
    this.deleted = 0;
    const mask = size - 1;
    for (const s of old) {
      if (s <= 0) continue;
      for (let i = this.hash[s - 1]! & mask; ; i = (i + 1) & mask) {
        if (this.slots[i] === 0) {
          this.slots[i] = s;
          this.used++;
          break;
        }
      }
    }
  }
}

/** FNV-1a over UTF-16 code units, its bits mixed at the end (the table takes the low bits). */
function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return mix(h);
}

function hashLatin1(b: Uint8Array, at: number, n: number): number {
  let h = 0x811c9dc5;
  for (let i = at, end = at + n; i < end; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return mix(h);
}

function hashWide(b: Uint8Array, at: number, n: number): number {
  let h = 0x811c9dc5;
  for (let j = at * 2, end = (at + n) * 2; j < end; j += 2) h = Math.imul(h ^ (b[j]! | (b[j + 1]! << 8)), 0x01000193);
  return mix(h);
}

function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h & 0x7fffffff;
}
