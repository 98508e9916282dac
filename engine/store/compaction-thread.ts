import { Worker } from 'node:worker_threads';
import { compiledFile } from '../host/compiled-file.ts';
import { log } from '../log.ts';
import { compactionBounds, FrameCompactor, writeMerge, type CompactionStep, type CompactorOptions, type MergeWrite, type TurnSize } from './compaction.ts';
import type { WritableLog } from './log.ts';

/** What the compactor's thread answers a step with. */
interface Answer {
  readonly plan?: { step: CompactionStep; writes: MergeWrite[]; skipped: string[] };
  readonly error?: string;
}

/**
 * The background compactor with its reads off the writer's thread (decision 274). FrameCompactor (decision 120,
 * turns of decisions 225 and 268) reads each run's rows, checks their checksums, decodes and encodes them on the
 * thread that sequences, a slice per event-loop turn: ~2,000-3,500 turns a 10 s run at 10 k commands/s, each a
 * chance for a command to fall due behind it. Here a thread of its own (compaction-worker.ts, its own read
 * connection, a lowered priority) plans a whole step and hands back the writes; the writer's thread only applies
 * them, one transaction a turn (the pieces of decision 268: at most ROWS_PER_WRITE rows deleted and one frame
 * inserted each, the last one the merged frame), each checking that its rows are still the ones the plan read.
 * Same frames, same order of writes, same log at the end as FrameCompactor's; the newest `lagEvents` of every
 * session stay as written, a closed session is caught up before the next.
 *
 * Pacing: a round every `everyMs` (100 ms); a step follows the last one at once while there is work, the thread's
 * CPU being background CPU (nice 10) and the writer's share one short transaction a turn.
 */
export class CompactorThread {
  /** Totals since start (for the bench and tests), as FrameCompactor's. */
  readonly stats = { framesRemoved: 0, framesWritten: 0, events: 0, steps: 0 };
  /** Writes applied on the writer's thread, and steps whose writes found their rows changed (for the bench and tests). */
  readonly writes = { applied: 0, changed: 0 };
  private readonly timer: NodeJS.Timeout;
  private readonly status = new Int32Array(new SharedArrayBuffer(4));
  private worker: Worker | undefined;
  private session = 0;
  private cursor = 1;
  private stopped = false;
  /** The step asked for and not yet ended (its writes may still be being applied). */
  private asked: { session: number; cursor: number } | undefined;
  private soon: NodeJS.Immediate | undefined;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly log: WritableLog,
    file: string,
    private readonly opts: CompactorOptions & { size?: TurnSize } = {},
  ) {
    const worker = new Worker(file, { workerData: { path: log.db.name, status: this.status.buffer, hold: log.restartHold?.buffer, size: opts.size } });
    worker.unref();
    worker.on('message', (m: Answer) => this.answered(m));
    worker.on('error', (err) => {
      // A thread that died waits for no close.
      this.worker = undefined;
      this.fail(`compactor thread stopped: ${err.message}`);
    });
    this.worker = worker;
    this.timer = setInterval(() => this.round(), opts.everyMs ?? 100);
    this.timer.unref();
  }

  /** Starts a step now unless one is under way (the timer calls it). */
  round(): void {
    if (this.stopped || this.asked !== undefined || !this.log.db.open) return;
    try {
      const { latest } = compactionBounds(this.log);
      if (latest === 0) return this.settled();
      if (this.session === 0 || this.session > latest) {
        this.session = latest;
        this.cursor = 1;
      }
      for (;;) {
        const closedSession = this.session < latest;
        // The newest lagEvents of every session stay as written, a closed session's too (as FrameCompactor).
        const head = compactionBounds(this.log, this.session).lastSeq;
        const upTo = head - (this.opts.lagEvents ?? 16_384);
        if (upTo >= this.cursor) {
          this.asked = { session: this.session, cursor: this.cursor };
          this.worker?.postMessage({ session: this.session, cursor: this.cursor, upTo });
          return;
        }
        if (!closedSession) return this.settled();
        this.session++;
        this.cursor = 1;
      }
    } catch (err) {
      this.fail(`compaction stopped: ${(err as Error).message}`);
    }
  }

  /** A plan came back: its writes are applied one a turn, then the step is counted and the next asked for if there is more. */
  private answered(m: Answer): void {
    const asked = this.asked;
    if (this.stopped || asked === undefined) return;
    if (m.error !== undefined || m.plan === undefined) return this.fail(`compaction stopped: ${m.error ?? 'no plan'}`);
    const { step, writes, skipped } = m.plan;
    for (const s of skipped) log.warn(`event log: compaction skipped a run: ${s}`);
    let i = 0;
    const next = (): void => {
      this.soon = undefined;
      if (this.stopped || !this.log.db.open) return;
      if (i < writes.length) {
        let wrote: boolean;
        try {
          wrote = this.applyWrite(asked.session, writes[i++]!);
        } catch (err) {
          return this.fail(`compaction stopped: ${(err as Error).message}`);
        }
        if (!wrote) {
          // Rows not as planned (nothing but this compactor changes them; still): the step is done again from its start.
          this.writes.changed++;
          return this.stepped(asked.session, { framesRemoved: 0, framesWritten: 0, events: 0, cursor: asked.cursor, caughtUp: false });
        }
        this.writes.applied++;
        this.soon = setImmediate(next);
        return;
      }
      this.stepped(asked.session, step);
    };
    next();
  }

  /** One planned write on the writer's thread, in a transaction of its own (a method so the bench can time it). */
  applyWrite(session: number, w: MergeWrite): boolean {
    return writeMerge(this.log, session, w);
  }

  /** A step of `session` ended: counts it and moves on (FrameCompactor's rule). */
  private stepped(session: number, s: CompactionStep): void {
    this.asked = undefined;
    this.stats.steps++;
    this.stats.framesRemoved += s.framesRemoved;
    this.stats.framesWritten += s.framesWritten;
    this.stats.events += s.events;
    let more = !s.caughtUp;
    if (session === this.session) {
      this.cursor = s.cursor;
      if (session < compactionBounds(this.log).latest && s.caughtUp) {
        this.session++;
        this.cursor = 1;
        more = true;
      }
    } else more = true;
    if (more) this.round();
    else this.settled();
  }

  private settled(): void {
    if (this.asked !== undefined) return;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Resolves when a round finds nothing left to do (tests and tools: runs rounds now, not on the timer). */
  caughtUp(): Promise<void> {
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.round();
    });
  }

  private fail(message: string): void {
    if (this.stopped) return;
    log.error(`event log: ${message}`);
    this.close();
  }

  /** Stops, and closes the thread's read connection before returning (so the writer's close is the last: it checkpoints and removes the WAL). */
  close(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    if (this.soon !== undefined) clearImmediate(this.soon);
    this.asked = undefined;
    for (const w of this.idleWaiters.splice(0)) w();
    const worker = this.worker;
    this.worker = undefined;
    if (!worker) return;
    worker.postMessage({ close: true });
    // Waits for a step in progress to end and the thread's connection to close.
    Atomics.wait(this.status, 0, 0, 10_000);
    void worker.terminate();
  }
}

/**
 * The host's background compactor: on a thread of its own (CompactorThread) for a log on a file when the build
 * has its entry, else on the writer's thread in turns (FrameCompactor), as before decision 274.
 */
export function startCompactor(writable: WritableLog, opts: CompactorOptions & { thread?: boolean } = {}): { close(): void; readonly stats: FrameCompactor['stats'] } {
  const file = opts.thread === false || writable.db.memory ? undefined : compiledFile(import.meta.url, 'compaction-worker.js');
  return file === undefined ? new FrameCompactor(writable, opts) : new CompactorThread(writable, file, opts);
}
