import { AHEAD, ChunkMemory, MASK, NIL, SHIFT } from './chunks.ts';

/**
 * Many singly linked lists of seqs in shared chunked columns: each order
 * keeps the link of its first and last seq; appending is O(1) and allocates
 * nothing but a new chunk now and then.
 */
export class SeqChains {
  private readonly seqs: Float64Array[] = [];
  private readonly next: Int32Array[] = [];
  private size = 0;

  /** Appends `seq` after link `last` (NIL to start a chain); returns the new link. */
  append(last: number, seq: number): number {
    const l = this.size;
    if ((l & MASK) === AHEAD || l === 0) this.grow();
    this.seqs[l >>> SHIFT]![l & MASK] = seq;
    this.next[l >>> SHIFT]![l & MASK] = NIL;
    if (last !== NIL) this.next[last >>> SHIFT]![last & MASK] = l;
    this.size = l + 1;
    return l;
  }

  /** The next chunk (made ahead: see AHEAD in chunks.ts); apart from `append` so that the hot path stays small enough for V8 to inline. */
  private grow(): void {
    const m = new ChunkMemory(1, 1, 0);
    this.seqs.push(m.f64());
    this.next.push(m.i32());
  }

  /** The seq at link `l`. */
  at(l: number): number {
    return this.seqs[l >>> SHIFT]![l & MASK]!;
  }

  /** The seqs of the chain starting at `first`, in order. */
  toArray(first: number): number[] {
    const out: number[] = [];
    for (let l = first; l !== NIL; l = this.next[l >>> SHIFT]![l & MASK]!) out.push(this.seqs[l >>> SHIFT]![l & MASK]!);
    return out;
  }
}
