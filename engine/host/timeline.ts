import type { TimelineBucket, TimelineView } from '../../contract/history.ts';
import type { ReadableLog } from '../store/log.ts';

const SECOND_US = 1_000_000;
export const DEFAULT_BUCKETS = 120;

/**
 * A session's events per second of sequencer time, for the time machine's
 * axis (event density) and for stepping by second. Seconds with no event
 * are not stored. Sequencer timestamps never go back within a session
 * (decision 084), so each list is in time order and seq order at once.
 */
class SecondIndex {
  readonly seconds: number[] = [];
  readonly counts: number[] = [];
  readonly firstSeqs: number[] = [];
  readonly lastSeqs: number[] = [];
  /** Seq up to which (inclusive) the log has been read into the index. */
  scannedTo = 0;
  firstTs = 0;
  lastTs = 0;

  add(seq: number, ts: number): void {
    if (this.firstTs === 0) this.firstTs = ts;
    if (ts > this.lastTs) this.lastTs = ts;
    const s = Math.floor(ts / SECOND_US);
    const n = this.seconds.length;
    // A clock that did step back (never expected) counts in the newest second rather than breaking the order.
    if (n > 0 && s <= (this.seconds[n - 1] as number)) {
      this.counts[n - 1]!++;
      this.lastSeqs[n - 1] = seq;
    } else {
      this.seconds.push(s);
      this.counts.push(1);
      this.firstSeqs.push(seq);
      this.lastSeqs.push(seq);
    }
    this.scannedTo = seq;
  }

  /** The last seq with a timestamp at or before `ts` (µs), at whole-second resolution: the end of `ts`'s second counts in. */
  seqAt(ts: number): number {
    const s = Math.floor(ts / SECOND_US);
    let lo = 0;
    let hi = this.seconds.length - 1;
    let at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((this.seconds[mid] as number) <= s) {
        at = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return at < 0 ? 0 : (this.lastSeqs[at] as number);
  }

  buckets(n: number): { bucketUs: number; buckets: TimelineBucket[] } {
    if (this.seconds.length === 0) return { bucketUs: SECOND_US, buckets: [] };
    const first = this.seconds[0] as number;
    const span = (this.seconds[this.seconds.length - 1] as number) - first + 1;
    const width = Math.max(1, Math.ceil(span / n));
    const out: TimelineBucket[] = [];
    for (let b = 0; b * width < span; b++) out.push({ ts: (first + b * width) * SECOND_US, count: 0, firstSeq: 0, lastSeq: 0 });
    for (let i = 0; i < this.seconds.length; i++) {
      const bucket = out[Math.floor(((this.seconds[i] as number) - first) / width)] as TimelineBucket;
      if (bucket.count === 0) bucket.firstSeq = this.firstSeqs[i] as number;
      bucket.count += this.counts[i] as number;
      bucket.lastSeq = this.lastSeqs[i] as number;
    }
    return { bucketUs: width * SECOND_US, buckets: out };
  }
}

/**
 * Per-session second indexes, built on first use by one pass over the
 * session's log and then extended by reading only the events sequenced
 * since (so asking again about the live session costs O(new events)).
 * A closed session's index is complete after its one pass.
 */
/** Events read between two turns of the event loop while a session's index is built. */
// 10,000 events decoded a turn (~3 ms, worst 36 ms at load 5 with a GC): 100,000 held the host's loop for 50-100 ms and more (issue #11).
const SLICE_EVENTS = 10_000;

export class Timelines {
  private readonly bySession = new Map<number, SecondIndex>();

  constructor(
    private readonly log: ReadableLog,
    private readonly sliceEvents = SLICE_EVENTS,
  ) {}

  /** The timeline of `session` up to `lastSeq` (its head now), split into `buckets`. */
  view(session: number, lastSeq: number, buckets = DEFAULT_BUCKETS, atTs?: number): TimelineView {
    const idx = this.index(session);
    if (idx.scannedTo < lastSeq) this.log.replay(session, (e) => idx.add(e.seq, e.ts), idx.scannedTo + 1, lastSeq);
    return this.cut(session, idx, buckets, atTs);
  }

  /**
   * As `view`, reading the log in slices of SLICE_EVENTS with a turn of the
   * event loop between them: the first look at a session of millions of
   * events (seconds of reading) no longer holds up every other call on the
   * host, such as the orders blotter's first window (decision 150).
   */
  async viewInSlices(session: number, lastSeq: number, buckets = DEFAULT_BUCKETS, atTs?: number): Promise<TimelineView> {
    const idx = this.index(session);
    while (idx.scannedTo < lastSeq) {
      // Each slice starts where the index stands now: two callers interleaving never read a seq twice.
      const read = this.log.replay(session, (e) => idx.add(e.seq, e.ts), idx.scannedTo + 1, Math.min(lastSeq, idx.scannedTo + this.sliceEvents));
      // Nothing more in the log (lastSeq was ahead of it): stop rather than spin.
      if (read === 0) break;
      if (idx.scannedTo < lastSeq) await new Promise((r) => setImmediate(r));
    }
    return this.cut(session, idx, buckets, atTs);
  }

  private index(session: number): SecondIndex {
    let idx = this.bySession.get(session);
    if (!idx) {
      idx = new SecondIndex();
      this.bySession.set(session, idx);
    }
    return idx;
  }

  private cut(session: number, idx: SecondIndex, buckets: number, atTs: number | undefined): TimelineView {
    const b = idx.buckets(buckets);
    const v: TimelineView = { session, firstTs: idx.firstTs, lastTs: idx.lastTs, lastSeq: idx.scannedTo, bucketUs: b.bucketUs, buckets: b.buckets };
    if (atTs !== undefined) v.seqAtTs = idx.seqAt(atTs);
    return v;
  }
}
