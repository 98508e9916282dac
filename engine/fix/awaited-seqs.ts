/** How many separate gaps a session remembers; past that the oldest is forgotten (its resends are then ignored). */
const MAX_RANGES = 64;

/**
 * The peer's sequence numbers a session has seen skipped and not yet received (the gaps it asks a resend of), as
 * ranges (a gap may be huge: a peer may jump to 10^9). A message sent again (PossDupFlag Y) with a number in
 * here fills the gap and is applied; any other number below the next expected one was received already.
 */
export class AwaitedSeqs {
  private ranges: [number, number][] = [];

  /** The peer skipped `from` to `to` (both included). */
  add(from: number, to: number): void {
    if (to < from) return;
    this.ranges.push([from, to]);
    if (this.ranges.length > MAX_RANGES) this.ranges.shift();
  }

  /** Whether `seq` is awaited; if so it is received now (no longer awaited). */
  take(seq: number): boolean {
    return this.takeRange(seq, seq);
  }

  /** Marks `from` to `to` received (a GapFill); true when any of it was awaited. */
  takeRange(from: number, to: number): boolean {
    let found = false;
    const next: [number, number][] = [];
    for (const [a, b] of this.ranges) {
      if (to < a || from > b) {
        next.push([a, b]);
        continue;
      }
      found = true;
      if (a < from) next.push([a, from - 1]);
      if (to < b) next.push([to + 1, b]);
    }
    this.ranges = next;
    return found;
  }

  clear(): void {
    this.ranges = [];
  }
}
