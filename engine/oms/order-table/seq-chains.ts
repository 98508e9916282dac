import { AHEAD, ChunkMemory, MASK, NIL, SHIFT } from './chunks.ts';

/**
 * Many singly linked lists of seqs in shared chunked columns: each order
 * keeps the link of its first and last seq (OrderTable's columns).
 *
 * Linking is lazy: `touch` appends the seq and the row it belongs to and
 * nothing else, which is all a replay does per event; the `next` links and the
 * orders' last links are brought up to date by `OrderTable.linkSeqs` before
 * anything reads a chain (`pending` links wait for it). Replaying a million
 * events so writes two columns per event instead of reading and writing the
 * order's last link and the previous link's `next` in another chunk
 * (decision 293). A chain reads the same either way: links in append order.
 */
export class SeqChains {
  private readonly seqs: Float64Array[] = [];
  private readonly next: Int32Array[] = [];
  /** The row (OrderTable's) each link was appended for: what linking it needs. */
  private readonly rows: Int32Array[] = [];
  private size = 0;
  /** Links [0, linked) are in their chains; [linked, size) are not yet. */
  private linked = 0;

  /** Appends `seq` to the chain of row `row`, unlinked (see the class comment); returns the new link. */
  touch(seq: number, row: number): number {
    const l = this.size;
    if ((l & MASK) === AHEAD || l === 0) this.grow();
    this.seqs[l >>> SHIFT]![l & MASK] = seq;
    this.rows[l >>> SHIFT]![l & MASK] = row;
    this.size = l + 1;
    return l;
  }

  /** The next chunk (made ahead: see AHEAD in chunks.ts); apart from `touch` so that the hot path stays small enough for V8 to inline. */
  private grow(): void {
    const m = new ChunkMemory(1, 1, 0);
    this.seqs.push(m.f64());
    this.rows.push(m.i32());
  }

  /**
   * Room for the `next` links of every link appended so far: made when links are first linked, not with the
   * seqs, so a replay that reads no chain touches 12 bytes a link (seq, row), as many as before (decision 293).
   */
  private growNext(): void {
    while (this.next.length < this.seqs.length) this.next.push(new ChunkMemory(0, 1, 0).i32());
  }

  /**
   * Completes a SeqChains decoded from a checkpoint of a build before decision 293 (fields `seqs`, `next`,
   * `size`: every link linked, no rows): rows for its chunks (read only for links not yet linked, so zeros) and
   * `linked` at `size`. A no-op on this build's own.
   */
  afterDecode(): void {
    const self = this as unknown as { rows: Int32Array[] | undefined; linked: number | undefined };
    if (self.rows !== undefined) return;
    self.rows = this.seqs.map((c) => new Int32Array(c.length));
    self.linked = this.size;
  }

  /** True when links wait to be linked into their chains. */
  get pending(): boolean {
    return this.linked < this.size;
  }

  /** Makes room for linking and returns the first link not yet in its chain (OrderTable.linkSeqs links from there to `count`). */
  beginLinking(): number {
    if (this.next.length < this.seqs.length) this.growNext();
    return this.linked;
  }

  get count(): number {
    return this.size;
  }

  /** The row link `l` was appended for. */
  rowOf(l: number): number {
    return this.rows[l >>> SHIFT]![l & MASK]!;
  }

  /** Links `l` after `last` (NIL: `l` starts its chain) and ends the chain at `l`. */
  linkAfter(last: number, l: number): void {
    this.next[l >>> SHIFT]![l & MASK] = NIL;
    if (last !== NIL) this.next[last >>> SHIFT]![last & MASK] = l;
  }

  /** Every link up to `size` is in its chain (OrderTable.linkSeqs). */
  markLinked(): void {
    this.linked = this.size;
  }

  /** The seq at link `l`. */
  at(l: number): number {
    return this.seqs[l >>> SHIFT]![l & MASK]!;
  }

  /** The seqs of the chain starting at `first`, in order (its links must be linked). */
  toArray(first: number): number[] {
    const out: number[] = [];
    for (let l = first; l !== NIL; l = this.next[l >>> SHIFT]![l & MASK]!) out.push(this.seqs[l >>> SHIFT]![l & MASK]!);
    return out;
  }
}
