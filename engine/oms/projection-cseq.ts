/**
 * The highest command seq (cseq) seen per command source in the session: a
 * restarted component numbers its next command from there + 1.
 *
 * Every event with a cseq updates it, so the last few sources and their
 * entries are kept in a ring of RECENT: a busy log interleaves a handful of
 * sources, and a string compare against four recent ones is cheaper than a
 * map lookup per event.
 */
const RECENT = 4;

export class CommandSeqs {
  private readonly bySrc = new Map<string, { cseq: number }>();
  private readonly recentSrc: (string | undefined)[] = new Array<string | undefined>(RECENT).fill(undefined);
  private readonly recentEntry: { cseq: number }[] = Array.from({ length: RECENT }, () => ({ cseq: 0 }));
  private recentNext = 0;

  /** Records command seq `cseq` (> 0) of `src`. */
  see(src: string, cseq: number): void {
    const recent = this.recentSrc;
    let entry: { cseq: number } | undefined;
    for (let k = 0; k < RECENT; k++) {
      // `s !== undefined` first (a pointer test, no type feedback): the string compare then only ever sees two
      // strings, not the ring's initial undefined, which made V8 call its generic StrictEqual (decision 270).
      const s = recent[k];
      if (s !== undefined && s === src) {
        entry = this.recentEntry[k]!;
        break;
      }
    }
    if (entry === undefined) entry = this.miss(src);
    if (cseq > entry.cseq) entry.cseq = cseq;
  }

  /** `src`'s entry when it is not among the recent ones (made if new), put in the ring. Apart from `see`, which the projection's `apply` inlines. */
  private miss(src: string): { cseq: number } {
    let entry = this.bySrc.get(src);
    if (entry === undefined) {
      entry = { cseq: 0 };
      this.bySrc.set(src, entry);
    }
    const slot = this.recentNext;
    this.recentSrc[slot] = src;
    this.recentEntry[slot] = entry;
    this.recentNext = (slot + 1) % RECENT;
    return entry;
  }

  /** The highest cseq of `src` seen, 0 if none. */
  last(src: string): number {
    return this.bySrc.get(src)?.cseq ?? 0;
  }

  /** Every source seen (insertion order). */
  sources(): IterableIterator<string> {
    return this.bySrc.keys();
  }
}
