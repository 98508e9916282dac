/**
 * A map from safe integers to values that allocates only when it grows or
 * shrinks (decision 264): open addressing with linear probing and
 * backward-shift deletion, so deletes leave no tombstones and a table whose
 * keys keep changing at a steady size (a book's quotes, replaced every venue
 * tick under new ids) is never rebuilt. V8's Map builds a new table every few
 * dozen such inserts; in the host those tables outlived a scavenge and were
 * promoted, old-generation garbage that brought the next full collection
 * nearer. No iteration: the book only gets, sets and deletes.
 */
export class IntMap<V> {
  private keys = new Float64Array(16);
  private vals: (V | undefined)[] = new Array<V | undefined>(16).fill(undefined);
  private mask = 15;
  private shift = 28;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Slot of `key`'s home: Fibonacci hashing of its low and high 32 bits. */
  private home(key: number): number {
    const lo = key | 0;
    const hi = (key / 4294967296) | 0;
    return Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> this.shift;
  }

  private slot(key: number): number {
    const keys = this.keys;
    const vals = this.vals;
    let i = this.home(key);
    while (vals[i] !== undefined) {
      if (keys[i] === key) return i;
      i = (i + 1) & this.mask;
    }
    return -1 - i;
  }

  get(key: number): V | undefined {
    const i = this.slot(key);
    return i >= 0 ? this.vals[i] : undefined;
  }

  has(key: number): boolean {
    return this.slot(key) >= 0;
  }

  /** Sets `key` to `value` (not undefined). */
  set(key: number, value: V): void {
    const i = this.slot(key);
    if (i >= 0) {
      this.vals[i] = value;
      return;
    }
    if ((this.count + 1) * 2 > this.vals.length) {
      this.resize(this.vals.length * 2);
      this.set(key, value);
      return;
    }
    this.keys[-1 - i] = key;
    this.vals[-1 - i] = value;
    this.count++;
  }

  /** Removes `key`; returns whether it was there. */
  delete(key: number): boolean {
    let i = this.slot(key);
    if (i < 0) return false;
    const keys = this.keys;
    const vals = this.vals;
    const mask = this.mask;
    // Backward shift: pull later entries of the probe run into the hole when their home allows it.
    for (let j = (i + 1) & mask; vals[j] !== undefined; j = (j + 1) & mask) {
      const h = this.home(keys[j]!);
      if (((j - h) & mask) >= ((j - i) & mask)) {
        keys[i] = keys[j]!;
        vals[i] = vals[j];
        i = j;
      }
    }
    vals[i] = undefined;
    this.count--;
    if (this.vals.length > 64 && this.count * 8 < this.vals.length) this.resize(this.vals.length / 2);
    return true;
  }

  private resize(capacity: number): void {
    const keys = this.keys;
    const vals = this.vals;
    this.keys = new Float64Array(capacity);
    this.vals = new Array<V | undefined>(capacity).fill(undefined);
    this.mask = capacity - 1;
    this.shift = 32 - Math.log2(capacity);
    this.count = 0;
    for (let i = 0; i < vals.length; i++) if (vals[i] !== undefined) this.set(keys[i]!, vals[i]!);
  }
}
