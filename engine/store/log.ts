import Database from 'better-sqlite3';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { crc32 } from 'node:zlib';
import { decodeFrame, NewerFormatError, visitFrame, visitFrameReusing, type EventVisitor } from '../protocol/codec.ts';
import { DecodeError } from '../protocol/bytes.ts';
import { useFrameContext } from '../protocol/frame-context.ts';
import type { Sequenced } from '../protocol/events.ts';
import { checkpointThreadSource, STATUS_CLOSED, STATUS_DONE, STATUS_ERRORS, STATUS_SLOTS, STATUS_WAL_PAGES, type CheckpointThreadData } from './checkpoint-thread.ts';
import { CorruptionError, StoreError } from './errors.ts';
import { logAccessProblem } from './open-errors.ts';
import { HeadWriter, isBehind, readHead, type LogHead } from './head.ts';
import { log as logger } from '../log.ts';
import { checkpointFileOf, closeCheckpointFile } from './checkpoint-file.ts';
import { CheckpointReader, CheckpointWriter } from './checkpoints.ts';
import { FramePages, type FrameVisit } from './frame-pages.ts';
import { contextsOf } from './session-context.ts';
import { crcMatches, rowCrc, storedBody, wireFrame, WirePage } from './stored-frame.ts';
import { fitsKey, framesLayout, MAX_SEQ, MAX_SESSION, SEQ_SPAN, seqOfKey, sessionOfKey, storedCrc, type FramesLayout } from './frame-key.ts';
import { DeferredCommands } from './deferred.ts';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations/index.ts';

export interface SessionRow {
  readonly id: number;
  readonly openedTs: number;
  readonly closedTs: number | null;
  readonly state: 'open' | 'closed';
  /** Last seq stored in the session (0 when empty). */
  readonly lastSeq: number;
  readonly frames: number;
}

export interface StoredFrame {
  readonly session: number;
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly bytes: Uint8Array;
}

export interface StoredSnapshot {
  readonly session: number;
  readonly seq: number;
  readonly takenTs: number;
  readonly body: unknown;
}

/** A corrupted frame found by `verify`. */
export interface CorruptionReport {
  readonly session: number;
  readonly firstSeq: number;
  readonly lastSeq: number;
  /** The frame's row key (frame-key.ts): `truncateFrom` cuts from it. */
  readonly rowId: number;
  readonly detail: string;
}

declare const readable: unique symbol;
declare const writable: unique symbol;

/** A frames row (schema version 4, frame-key.ts): key = session * 2^36 + first seq, n = events in the frame. */
type FrameRow = [key: number, n: number, crc: number, body: Buffer];


/** Frames a page of frames() asks for at most (FramePages adapts the page to ~1 MiB under it). */
const MAX_PAGE_FRAMES = 4096;

/** replay()'s signal to go on reading from the frame holding `seq` (a page that opened with a jump): never escapes it. */
class ResumeAt {
  constructor(readonly seq: number) {}
}

/**
 * The event log: read side. Every frame is checked against its CRC-32 and
 * decoded on read; a mismatch throws CorruptionError with its location.
 */
export class ReadableLog {
  declare readonly [readable]: true;
  protected readonly stmts;
  /** How SQL reaches the frames: keyed (schema version 4), or an old log's columns read as they are (frame-key.ts). */
  protected readonly layout: FramesLayout;

  constructor(readonly db: Database.Database) {
    const L = (this.layout = framesLayout(db));
    const LAST_SEQ = `(${L.key} % ${SEQ_SPAN} + ${L.n} - 1)`;
    const rows = `${L.key}, ${L.n}, f.crc, f.body`;
    const sessionRows = `SELECT s.id, s.opened_ts, s.closed_ts, s.state,
                COALESCE((SELECT ${LAST_SEQ} FROM frames f WHERE ${L.ofSession('s.id')} ORDER BY ${L.order} DESC LIMIT 1), 0) AS last_seq,
                (SELECT COUNT(*) FROM frames f WHERE ${L.ofSession('s.id')}) AS frames
         FROM sessions s`;
    this.stmts = {
      sessions: db.prepare(`${sessionRows} ORDER BY s.id`),
      // Counting a session's frames steps through its rows (no index to count from since schema 4): only the newest's.
      latestSession: db.prepare(`${sessionRows} ORDER BY s.id DESC LIMIT 1`),
      heads: db.prepare(
        `SELECT s.id, s.opened_ts, s.closed_ts, s.state,
                COALESCE((SELECT ${LAST_SEQ} FROM frames f WHERE ${L.ofSession('s.id')} ORDER BY ${L.order} DESC LIMIT 1), 0) AS last_seq
         FROM sessions s ORDER BY s.id`,
      ),
      latest: db.prepare(`SELECT id FROM sessions ORDER BY id DESC LIMIT 1`),
      hasSession: db.prepare(`SELECT 1 FROM sessions WHERE id = ?`).pluck(),
      closedSessions: db.prepare(`SELECT s.id, n.crc, n.body FROM sessions s LEFT JOIN snapshots n ON n.session = s.id WHERE s.state = 'closed' ORDER BY s.id`),
      // Ranges are a session's frames with first seq in [a, b] (L.bind): a range of the key (frame-key.ts).
      lastSeq: db.prepare(`SELECT ${LAST_SEQ} FROM frames f WHERE ${L.range} ORDER BY ${L.order} DESC LIMIT 1`).pluck(),
      // Frames overlapping [from, to] start at the last frame starting at or before `from`: found by
      // the key, so a page costs what it returns, not a scan from seq 1.
      frameStart: db.prepare(`SELECT ${L.key} % ${SEQ_SPAN} FROM frames f WHERE ${L.range} ORDER BY ${L.order} DESC LIMIT 1`).pluck(),
      framesFrom: db.prepare(`SELECT ${rows} FROM frames f WHERE ${L.range} ORDER BY ${L.order}`).raw(true),
      snapshot: db.prepare(`SELECT session, seq, taken_ts, crc, body FROM snapshots WHERE session = ?`),
      allFrames: db.prepare(`SELECT ${rows} FROM frames f ORDER BY ${L.order}`).raw(true),
    };
  }

  private checkpointReader: CheckpointReader | undefined;
  /** The page reader of replay() (null: this database cannot use it). */
  private pages: FramePages | null | undefined;
  /** The page reader of frames() (its own: its page sizes adapt to its callers' slices), and its wire page. */
  private framePages: FramePages | null | undefined;
  private wirePage: WirePage | undefined;

  /** The in-session projection checkpoints of this log (decision 085), in their own file beside it (decision 252). */
  get checkpoints(): CheckpointReader {
    return (this.checkpointReader ??= new CheckpointReader(this.db));
  }

  /** All sessions, oldest first. */
  sessions(): SessionRow[] {
    return (this.stmts.sessions.all() as { id: number; opened_ts: number; closed_ts: number | null; state: 'open' | 'closed'; last_seq: number; frames: number }[]).map(
      (r) => ({ id: r.id, openedTs: r.opened_ts, closedTs: r.closed_ts, state: r.state, lastSeq: r.last_seq, frames: r.frames }),
    );
  }

  /**
   * Every session without its frame count (key lookups only): `sessions()` counts each session's frames, a
   * scan of ~600 k rows at 5 M events, too long for the host's event loop (issue #11).
   */
  sessionHeads(): Omit<SessionRow, 'frames'>[] {
    return (this.stmts.heads.all() as { id: number; opened_ts: number; closed_ts: number | null; state: 'open' | 'closed'; last_seq: number }[]).map((r) => ({
      id: r.id,
      openedTs: r.opened_ts,
      closedTs: r.closed_ts,
      state: r.state,
      lastSeq: r.last_seq,
    }));
  }

  /** The newest session, or undefined for an empty log. */
  latestSession(): SessionRow | undefined {
    const r = this.stmts.latestSession.get() as { id: number; opened_ts: number; closed_ts: number | null; state: 'open' | 'closed'; last_seq: number; frames: number } | undefined;
    return r && { id: r.id, openedTs: r.opened_ts, closedTs: r.closed_ts, state: r.state, lastSeq: r.last_seq, frames: r.frames };
  }

  /** Where the log ends: the latest session and its last seq (undefined for an empty log). */
  end(): LogHead | undefined {
    const row = this.stmts.latest.get() as { id: number } | undefined;
    if (!row) return undefined;
    return { session: row.id, seq: this.lastSeq(row.id) };
  }

  /** True when session `id` is in the log (one key lookup; `sessions()` counts frames). */
  hasSession(id: number): boolean {
    return this.stmts.hasSession.get(id) !== undefined;
  }

  lastSeq(session: number): number {
    return (this.stmts.lastSeq.get(...this.layout.bind(session, 0, MAX_SEQ)) as number | undefined) ?? 0;
  }

  /**
   * Frames of `session` overlapping seq range [from, to] (both inclusive),
   * each verified against its checksum, in their wire form (what the replay
   * service sends). Frames may start before `from`. At most `most` frames
   * and about `mostBytes` (all by default; no page is begun past either): a
   * caller that takes a slice says how much, so a page reads about what it takes.
   *
   * A page of frames per SQLite call (frame-pages.ts) and the page's wire
   * forms built into one Buffer, each frame a view of it (decision 286): a
   * live host's log of 1-31-event frames cost a statement step, a Buffer
   * from better-sqlite3 and a wire-form Buffer per frame. Each page is its
   * own WAL snapshot: when the compactor merged frames between two pages, the
   * next page opens past the merged frame, and the read goes on from the
   * frame that now holds the next seq (it starts before it, as a frame may).
   */
  *frames(session: number, from: number, to: number, most = Number.MAX_SAFE_INTEGER, mostBytes = Number.POSITIVE_INFINITY): Generator<StoredFrame> {
    const pages = (this.framePages ??= FramePages.open(this.db, this.layout) ?? null);
    if (pages === null) {
      yield* this.framesByRow(session, from, to, most);
      return;
    }
    const ctx = contextsOf(this.db).of(session);
    const w = (this.wirePage ??= new WirePage());
    const firsts: number[] = [];
    const counts: number[] = [];
    const offsets: number[] = [];
    const take: FrameVisit = (bytes, begin, end, _view, first, count) => {
      offsets.push(w.add(session, first, bytes, begin, end, ctx));
      firsts.push(first);
      counts.push(count);
    };
    const fail = (err: unknown, firstSeq: number, lastSeq: number): never => {
      if (err === undefined) throw new CorruptionError(session, firstSeq, lastSeq, 'checksum mismatch');
      throw frameError(err, session, firstSeq, lastSeq);
    };
    let next: number | undefined = this.frameStart(session, from);
    // The seq the next page must hold first. The first page too: the frame holding `from` is found in one SQLite
    // call and the page read in another (two WAL snapshots), and a merge committed between them stores the merged
    // frame under a key before `next`: that page opened past it, thousands of seqs after `from` (round 19: a
    // component rewinding through the replay service applied the rest with those events missing).
    let expected = from;
    let left = most;
    let leftBytes = mostBytes;
    while (next !== undefined && left > 0 && leftBytes > 0) {
      firsts.length = 0;
      counts.length = 0;
      offsets.length = 0;
      w.pos = 0;
      let after: number | undefined;
      let failed: unknown;
      try {
        after = pages.page(session, next, to, take, fail, Math.min(left, MAX_PAGE_FRAMES), leftBytes);
      } catch (err) {
        // The frames before a damaged one are handed out first, then its error (as row by row).
        failed = err;
      }
      const n = firsts.length;
      if (n === 0) {
        if (failed !== undefined) throw failed;
        return;
      }
      if (failed === undefined && firsts[0]! > expected) {
        // Merged since `next` was found: the frame holding `expected` now starts before this page. Read again from
        // it (each retry starts strictly earlier, so this ends); a jump that is still there is the log's own gap.
        const holder = this.frameStart(session, expected);
        if (holder < next) {
          next = holder;
          continue;
        }
      }
      const page = w.take();
      for (let i = 0; i < n; i++) {
        const firstSeq = firsts[i]!;
        yield { session, firstSeq, lastSeq: firstSeq + counts[i]! - 1, bytes: page.subarray(offsets[i]!, i + 1 < n ? offsets[i + 1]! : page.length) };
      }
      if (failed !== undefined) throw failed;
      left -= n;
      leftBytes -= page.length;
      expected = firsts[n - 1]! + counts[n - 1]!;
      next = after;
    }
  }

  /** frames() row by row: a database whose text encoding is not UTF-8 (the page reader cannot read it). */
  private *framesByRow(session: number, from: number, to: number, most: number): Generator<StoredFrame> {
    const contexts = contextsOf(this.db);
    let left = most;
    for (const [key, n, crc, bytes] of this.stmts.framesFrom.iterate(...this.layout.bind(session, this.frameStart(session, from), to)) as IterableIterator<FrameRow>) {
      if (left-- <= 0) return;
      const firstSeq = seqOfKey(key);
      // The wire form (stored-frame.ts): what the replay service sends and decodeFrame reads.
      if (!crcMatches(session, firstSeq, bytes, crc)) throw new CorruptionError(session, firstSeq, firstSeq + n - 1, 'checksum mismatch');
      let wire: Uint8Array;
      try {
        wire = wireFrame(session, firstSeq, bytes, 0, bytes.length, contexts.of(session));
      } catch (err) {
        throw frameError(err, session, firstSeq, firstSeq + n - 1);
      }
      yield { session, firstSeq, lastSeq: firstSeq + n - 1, bytes: wire };
    }
  }

  /** first_seq of the frame holding `seq` (or of the first frame after it, when none does). */
  private frameStart(session: number, seq: number): number {
    return (this.stmts.frameStart.get(...this.layout.bind(session, 0, seq)) as number | undefined) ?? seq;
  }

  /** Events of `session` with seq in [from, to], both inclusive, in order. */
  *events(session: number, from = 1, to = Number.MAX_SAFE_INTEGER): Generator<Sequenced> {
    for (const f of this.frames(session, from, to)) {
      let decoded;
      try {
        decoded = decodeFrame(f.bytes);
      } catch (err) {
        throw frameError(err, f.session, f.firstSeq, f.lastSeq);
      }
      for (const e of decoded.events) {
        if (e.seq >= from && e.seq <= to) yield e;
      }
    }
  }

  /**
   * Rewinds: calls `apply` with every event of `session` (and its message code: EventVisitor) with seq in
   * [from, to] (both inclusive), in order, and returns how many it applied.
   * The fast path for replaying a log into a projection: rows come as arrays,
   * each frame's checksum is checked, and frames are decoded event by event
   * without building arrays. Throws CorruptionError (with the frame's
   * location) for a bad checksum or encoding, or a seq out of line; events
   * before it were applied.
   *
   * `reuse`: for an `apply` that keeps nothing it is given and reads it only
   * during its call (OmsProjection.apply): the Sequenced and the order
   * lifecycle's event objects are rewritten for the next event instead of
   * made anew (visitFrameReusing, decision 245).
   */
  replay(session: number, apply: EventVisitor, from = 1, to = Number.MAX_SAFE_INTEGER, reuse = false): number {
    const visit = reuse ? visitFrameReusing : visitFrame;
    let n = 0;
    let expected = from;
    /** The seq a page read last went on from after a jump (see below); a second jump there is a real gap. */
    let resumedAt = 0;
    const count = (e: Sequenced, code: number) => {
      if (e.seq !== expected) {
        // A jump forward where the read has not gone on from yet: perhaps a merge, not a gap (below).
        if (e.seq > expected && resumedAt !== expected) throw new ResumeAt(expected);
        // A missing frame (a row lost, or cut out by hand) shows as a jump: the log is gap-free.
        throw new CorruptionError(session, expected, e.seq, `seq gap: expected ${expected}, found ${e.seq}`);
      }
      expected++;
      n++;
      apply(e, code);
    };
    const start = this.frameStart(session, from);
    // The session's context, which its small stored frames refer to (decision 278).
    useFrameContext(contextsOf(this.db).of(session));
    const pages = (this.pages ??= FramePages.open(this.db, this.layout) ?? null);
    if (pages !== null) {
      // A page of frames per SQLite call (frame-pages.ts): what a log of small live frames needs. Each page is its
      // own WAL snapshot, so a host's compactor merging frames on another connection between two pages puts the
      // merged frame under a key before the next page's start, and the next page opens with a jump (round 14 saw a
      // checkpoint round fail so: "seq gap: expected 7201, found 8193", decision 273). The read then goes on from
      // the frame that now holds the expected seq, skipping what was applied; a jump that is still there is a gap.
      // No read transaction is held across pages: a long replay would keep the writer's checkpoint from the WAL's
      // end and the WAL from starting over for its whole length.
      const fail = (err: unknown, firstSeq: number, lastSeq: number, frame: Uint8Array): never => {
        if (err instanceof ResumeAt) throw err;
        if (err === undefined) throw new CorruptionError(session, firstSeq, lastSeq, 'checksum mismatch');
        throw frameError(frameAlone(err, frame, session, firstSeq, this.db), session, firstSeq, lastSeq);
      };
      for (let begin = start; ; ) {
        try {
          pages.forEach(session, begin, to, (bytes, b, e, view, firstSeq) => visit(bytes, count, expected, to, b, e, view, session, firstSeq), fail);
          return n;
        } catch (err) {
          if (!(err instanceof ResumeAt)) throw err;
          resumedAt = err.seq;
          begin = this.frameStart(session, err.seq);
        }
      }
    }
    for (const [key, nEvents, crc, bytes] of this.stmts.framesFrom.iterate(...this.layout.bind(session, start, to)) as IterableIterator<FrameRow>) {
      const firstSeq = seqOfKey(key);
      const lastSeq = firstSeq + nEvents - 1;
      if (!crcMatches(session, firstSeq, bytes, crc)) throw new CorruptionError(session, firstSeq, lastSeq, 'checksum mismatch');
      try {
        visit(bytes, count, from, to, 0, bytes.length, undefined, session, firstSeq);
      } catch (err) {
        throw frameError(frameAlone(err, bytes, session, firstSeq, this.db), session, firstSeq, lastSeq);
      }
    }
    return n;
  }

  snapshot(session: number): StoredSnapshot | undefined {
    const row = this.stmts.snapshot.get(session) as { session: number; seq: number; taken_ts: number; crc: number; body: string } | undefined;
    if (!row) return undefined;
    if (crc32(row.body) !== row.crc) {
      throw new CorruptionError(row.session, row.seq, row.seq, 'snapshot checksum mismatch');
    }
    return { session: row.session, seq: row.seq, takenTs: row.taken_ts, body: JSON.parse(row.body) };
  }

  /** Checks every frame's checksum, encoding and seq continuity; returns what is wrong. */
  verify(): CorruptionReport[] {
    const problems: CorruptionReport[] = [];
    const contexts = contextsOf(this.db);
    let session = -1;
    let next = 1;
    for (const [key, n, crc, body] of this.stmts.allFrames.iterate() as IterableIterator<FrameRow>) {
      const rowSession = sessionOfKey(key);
      const firstSeq = seqOfKey(key);
      const lastSeq = firstSeq + n - 1;
      if (rowSession !== session) {
        session = rowSession;
        next = 1;
      }
      const at = { session, firstSeq, lastSeq, rowId: key };
      // A stored-form body gets its head from the row (stored-frame.ts); the CRC covers both.
      if (!crcMatches(session, firstSeq, body, crc)) {
        problems.push({ ...at, detail: 'checksum mismatch' });
      } else {
        try {
          const f = decodeFrame(wireFrame(session, firstSeq, body, 0, body.length, contexts.of(session)));
          if (f.session !== session || f.firstSeq !== firstSeq || f.count !== n) {
            problems.push({ ...at, detail: 'frame header does not match its row' });
          }
        } catch (err) {
          // A newer Ordo's frame is not damage: say so once instead of a line per frame.
          if (err instanceof NewerFormatError) throw frameError(err, session, firstSeq, lastSeq);
          problems.push({ ...at, detail: (err as Error).message });
        }
      }
      if (firstSeq !== next) problems.push({ ...at, detail: `seq gap: expected ${next}` });
      next = lastSeq + 1;
    }
    return problems;
  }

  /**
   * Checks the snapshot of every closed session: present, checksum, JSON.
   * (Whether its content fits the OMS is the caller's check: the store does
   * not know the snapshot's schema.)
   */
  verifySnapshots(): { session: number; detail: string }[] {
    const problems: { session: number; detail: string }[] = [];
    for (const row of this.stmts.closedSessions.all() as { id: number; crc: number | null; body: string | null }[]) {
      if (row.body === null || row.crc === null) problems.push({ session: row.id, detail: 'closed session has no snapshot' });
      else if (crc32(row.body) !== row.crc) problems.push({ session: row.id, detail: 'snapshot checksum mismatch' });
      else {
        try {
          JSON.parse(row.body);
        } catch (err) {
          problems.push({ session: row.id, detail: `snapshot is not JSON: ${(err as Error).message}` });
        }
      }
    }
    return problems;
  }

  /** Closes the connection and the checkpoint file's connection opened through it. */
  close(): void {
    closeCheckpointFile(this.db);
    if (this.db.open) this.db.close();
  }
}

/** The most the WAL file may hold (bytes); a test and docs/reliability.md hold us to it. */
export const WAL_BOUND_BYTES = 64 << 20;
/**
 * WAL size at which the writer finishes a checkpoint itself, so that the next commit starts the WAL over.
 * That checkpoint syncs the WAL and the database file on the event loop that answers orders (two fsyncs:
 * 6 ms each at the median on the shared build machine, up to 67 ms): at 8 MiB it came about once a second at
 * 1,000 orders/s, a periodic ack stall; at 32 MiB a quarter as often (decision 172). At 10 k commands/s
 * (~7,500 commits/s of ~8.7 KiB of WAL each) 32 MiB still meant one every ~0.6 s, each 3-9 ms on the
 * thread that sequences (and the commit after it, which starts the WAL over, is slow too), and 11-38 % of
 * the latency scenario's slowest 1 % fell in one: 44 MiB makes them a quarter rarer (decision 248). The file
 * stays under WAL_BOUND_BYTES: WAL_INLINE_BYTES below still bounds it when the thread falls behind.
 */
const WAL_RESTART_BYTES = 44 << 20;
/** Estimated WAL bytes written after which a checkpoint is asked for. */
const CHECKPOINT_AFTER_BYTES = 1 << 20;
/** A checkpoint is asked for at least this often while anything is committed. */
const CHECKPOINT_EVERY_MS = 1000;
/** Estimated WAL bytes written between two looks at the WAL file's real size. */
const STAT_EVERY_BYTES = 2 << 20;
/** WAL file size at which the writer stops trusting the thread and checkpoints itself (below WAL_BOUND_BYTES by more than a look's worth). */
const WAL_INLINE_BYTES = 48 << 20;
/**
 * WAL file size at which the writer, finding the thread's checkpoint in progress (it holds SQLite's checkpoint
 * lock, and no checkpoint mode waits for that lock), waits for it to end and checkpoints then: a thread
 * preempted mid-checkpoint on a loaded machine, with the writer retrying at every commit, let the file pass
 * WAL_BOUND_BYTES (67-79 MB at load 12+). Reached only when the thread is far behind; the wait is bounded.
 */
const WAL_WAIT_BYTES = 56 << 20;
/** The longest the writer waits for the thread's checkpoint past WAL_WAIT_BYTES (ms). */
const WAL_WAIT_MS = 2000;
/**
 * Commits a due checkpoint waits for the writer's next turn, at most (decision 268); then it runs after the
 * commit, as before. ~256 x 4 KiB: 1 MiB of WAL more at worst, far inside the margins below WAL_BOUND_BYTES.
 */
const DUE_COMMITS = 256;

/**
 * Moves WAL checkpoints off the committing thread and keeps the WAL bounded.
 * SQLite's automatic checkpoint runs inside the commit that crosses the WAL
 * size limit and, at synchronous=NORMAL, fsyncs twice: a commit that normally
 * takes tens of microseconds then takes tens of milliseconds (the latency
 * tail). Here the writer connection never checkpoints; a thread with its own
 * connection (checkpoint-thread.ts) checkpoints after every MiB of WAL or
 * every second, whichever comes first. Once the WAL holds WAL_RESTART_BYTES,
 * the writer runs one PASSIVE checkpoint itself between two commits, in the
 * turn after the commit that found it due (decision 268: the sequencer has
 * published that commit's frames by then): the
 * thread has already copied nearly everything, so this copies the rest and
 * syncs (a millisecond or two, once per several thousand commits), and the
 * next commit starts the WAL over (SQLite restarts it only after a
 * checkpoint that reached the last commit, which a checkpoint racing a busy
 * writer never does).
 *
 * What is counted is WAL bytes, not payload: every commit writes whole pages
 * (the frames table's leaf, sometimes an interior page; since schema 4 no
 * index leaf, decision 254), so a 40-byte frame costs a 4 KiB page of WAL
 * (4,250 bytes a commit measured, 8,750 with the index). The estimate (a page
 * per commit plus the payload) is a lower bound, so the writer also looks at
 * the WAL file itself every few MiB and, past WAL_INLINE_BYTES, checkpoints
 * inline (RESTART) as SQLite would have: the bound holds even when the thread
 * is stuck or cannot start. The thread reports through shared memory, so
 * this works while the writer's event loop is busy too.
 */
class BackgroundCheckpointer {
  private worker: Worker | undefined;
  private readonly status = new Int32Array(new SharedArrayBuffer(STATUS_SLOTS * 4));
  private failed = false;
  private asked = 0;
  private readonly pageSize: number;
  /** Estimated WAL bytes since the last checkpoint was asked for, and since the file was last looked at. */
  private sinceAsk = 0;
  private sinceStat = 0;
  private lastAskMs = performance.now();
  /** Largest WAL file size seen (for figures and tests). */
  maxWalBytes = 0;
  /** Checkpoints run on the writer's connection, and how many of them were put off to a later turn (for figures and tests). */
  inlineCount = 0;
  deferred = 0;
  /**
   * Slot 0 is 1 from the moment the writer's restart checkpoint is due until the commit after it has run (the one
   * that starts the WAL over): the compactor's thread does not start a read meanwhile (decision 274), since a
   * reader inside a statement keeps the checkpoint from reaching the WAL's end and the WAL from starting over.
   */
  readonly restartHold = new Int32Array(new SharedArrayBuffer(4));
  /** The writer's checkpoint ran: the next commit releases restartHold. */
  private releaseAfterCommit = false;
  /** Commits since a checkpoint became due (0: none due), and the turn it waits for. */
  private dueSince = 0;
  private soon: NodeJS.Immediate | undefined;

  constructor(
    private readonly db: Database.Database,
    private readonly path: string,
    private readonly synchronous: 'NORMAL' | 'FULL',
    thread = true,
  ) {
    // Without the thread, the writer checkpoints every CHECKPOINT_AFTER_BYTES itself (as when the thread cannot start).
    this.failed = !thread;
    db.pragma('wal_autocheckpoint = 0');
    // When the WAL starts over, it is cut back to this size.
    db.pragma(`journal_size_limit = ${WAL_RESTART_BYTES}`);
    this.pageSize = db.pragma('page_size', { simple: true }) as number;
  }

  appended(bytes: number): void {
    this.sinceAsk += bytes;
    this.sinceStat += bytes;
  }

  /** After a commit (outside any transaction): ask for a checkpoint when due; checkpoint here when the WAL is too big. */
  committed(): void {
    if (this.releaseAfterCommit) this.release();
    this.sinceAsk += this.pageSize;
    this.sinceStat += this.pageSize;
    if (this.sinceStat >= STAT_EVERY_BYTES) {
      this.sinceStat = 0;
      const size = walFileSize(this.path);
      if (size > this.maxWalBytes) this.maxWalBytes = size;
      if (size > WAL_INLINE_BYTES) {
        // The thread is gone, stuck or outpaced: do it here, as SQLite would have. A PASSIVE checkpoint
        // gives up at once while the thread holds the checkpoint lock (a slow checkpoint on a loaded
        // machine): look again at the next commit, not 2 MiB later, or the file outgrows WAL_BOUND_BYTES
        // (seen at load 12: 67-79 MB in the never-yielding writer test).
        if (!this.inline() && !(size > WAL_WAIT_BYTES && this.inlineAfterThread())) this.sinceStat = STAT_EVERY_BYTES;
        return;
      }
    }
    if (this.dueSince > 0) {
      // A checkpoint is due and waiting for the writer's next turn (checkpointIfDue): a writer that does not
      // yield that long gets it here, so the WAL stays bounded without the event loop.
      if (++this.dueSince > DUE_COMMITS) this.checkpointIfDue();
      return;
    }
    const idle = Atomics.load(this.status, STATUS_DONE) >= this.asked;
    if (idle && Atomics.load(this.status, STATUS_WAL_PAGES) * this.pageSize > WAL_RESTART_BYTES) {
      // The thread copied most of the WAL but cannot catch up with a writer that keeps committing;
      // between two commits no commit can come in, so a checkpoint here copies the rest (a little)
      // and the next commit starts the WAL over. Not in this commit's turn (decision 268): its
      // frames are published first.
      this.due();
      return;
    }
    if (this.failed) {
      if (this.sinceAsk >= CHECKPOINT_AFTER_BYTES) this.due();
      return;
    }
    if (!idle) return;
    if (this.sinceAsk < CHECKPOINT_AFTER_BYTES && performance.now() - this.lastAskMs < CHECKPOINT_EVERY_MS) return;
    if (Atomics.load(this.status, STATUS_ERRORS) >= 3) {
      logger.error('event log: background checkpoints keep failing; checkpointing inline');
      this.failed = true;
      return;
    }
    const worker = this.worker ?? this.start();
    if (!worker) return;
    this.asked++;
    this.sinceAsk = 0;
    this.lastAskMs = performance.now();
    worker.postMessage('checkpoint');
  }

  /**
   * A checkpoint on the writer's thread is due (decision 268): it runs in the writer's next event-loop turn
   * (setImmediate), after what the committing turn does with the commit (the sequencer publishes the committed
   * frames, the compactor ends its turn), or at the latest DUE_COMMITS commits later.
   */
  private due(): void {
    Atomics.store(this.restartHold, 0, 1);
    this.dueSince = 1;
    this.deferred++;
    if (this.soon === undefined) {
      this.soon = setImmediate(() => {
        this.soon = undefined;
        this.checkpointIfDue();
      });
      this.soon.unref();
    }
  }

  /** Runs the checkpoint that is due, if any (outside any transaction); true when one ran. */
  checkpointIfDue(): boolean {
    if (this.dueSince === 0 || !this.db.open || this.db.inTransaction) return false;
    this.dueSince = 0;
    this.inline();
    this.releaseAfterCommit = true;
    return true;
  }

  /** The WAL has started over (or the writer stops): the compactor's thread may read again. */
  private release(): void {
    this.releaseAfterCommit = false;
    Atomics.store(this.restartHold, 0, 0);
    Atomics.notify(this.restartHold, 0);
  }

  /** A checkpoint on the writer's own connection, between commits; true when it reached the WAL's end (the next commit starts it over). */
  private inline(): boolean {
    this.inlineCount++;
    const answer = (this.db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[])[0];
    if (answer?.busy === 0) Atomics.store(this.status, STATUS_WAL_PAGES, 0);
    this.sinceAsk = 0;
    this.lastAskMs = performance.now();
    return answer !== undefined && answer.busy === 0 && answer.checkpointed >= answer.log;
  }

  /** Waits (bounded) for the thread's checkpoints asked so far to end, then checkpoints here; true as inline(). */
  private inlineAfterThread(): boolean {
    const until = performance.now() + WAL_WAIT_MS;
    for (;;) {
      const done = Atomics.load(this.status, STATUS_DONE);
      const left = until - performance.now();
      if (done >= this.asked || left <= 0) break;
      Atomics.wait(this.status, STATUS_DONE, done, left);
    }
    return this.inline();
  }

  private start(): Worker | undefined {
    try {
      const driver = createRequire(import.meta.url).resolve('better-sqlite3');
      const workerData: CheckpointThreadData = { driver, path: this.path, synchronous: this.synchronous, status: this.status.buffer as SharedArrayBuffer };
      const worker = new Worker(checkpointThreadSource(), { eval: true, workerData });
      worker.unref();
      worker.on('message', (m: { error?: string }) => {
        if (m.error !== undefined) logger.error(`event log: background checkpoint failed: ${m.error}`);
      });
      worker.on('error', (err) => {
        logger.error(`event log: checkpoint thread stopped: ${err.message}`);
        this.failed = true;
      });
      this.worker = worker;
      return worker;
    } catch (err) {
      logger.error(`event log: no checkpoint thread (${(err as Error).message}); checkpointing inline`);
      this.failed = true;
      return undefined;
    }
  }

  /** Closes the thread's connection before the writer's, so the writer's close is the last (it checkpoints and removes the WAL). */
  close(): void {
    if (this.soon !== undefined) clearImmediate(this.soon);
    this.soon = undefined;
    this.dueSince = 0;
    this.release();
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    worker.postMessage('close');
    // Waits for the thread to finish a checkpoint in progress and close its connection.
    Atomics.wait(this.status, STATUS_CLOSED, 0, 10_000);
    void worker.terminate();
  }
}

function walFileSize(path: string): number {
  try {
    return statSync(path + '-wal').size;
  } catch {
    return 0;
  }
}

/**
 * The event log: write side. Only the sequencer holds one. Appends happen in
 * the caller's transaction (group commit) and are durable when it returns.
 */
export class WritableLog extends ReadableLog {
  declare readonly [writable]: true;
  private readonly w;
  private readonly inTransaction: Database.Transaction<(fn: () => unknown) => unknown>;
  private readonly checkpointer: BackgroundCheckpointer | undefined;
  private readonly head: HeadWriter | undefined;
  private readonly path: string | undefined;
  private readonly identity: { ino: number; dev: number } | undefined;
  private pendingHead: LogHead | undefined;
  /** The last frame appended in the current transaction (session 0: none): the head to write after commit, without an object per frame. */
  private pendingSession = 0;
  private pendingSeq = 0;

  constructor(db: Database.Database, file?: { path: string; synchronous: 'NORMAL' | 'FULL'; backgroundCheckpoint: boolean; checkpointThread?: boolean }) {
    super(db);
    this.w = {
      append: db.prepare(`INSERT INTO frames (key, n, crc, body) VALUES (?, ?, ?, ?)`),
      openSession: db.prepare(`INSERT INTO sessions (id, opened_ts, state) VALUES (?, ?, 'open')`),
      closeSession: db.prepare(`UPDATE sessions SET state = 'closed', closed_ts = ? WHERE id = ? AND state = 'open'`),
      snapshot: db.prepare(`INSERT INTO snapshots (session, seq, taken_ts, crc, body) VALUES (?, ?, ?, ?, ?)`),
      replaceSnapshot: db.prepare(`UPDATE snapshots SET seq = ?, crc = ?, body = ? WHERE session = ?`),
      truncateFrames: db.prepare(`DELETE FROM frames WHERE key >= ?`),
      dropSnapshotsFrom: db.prepare(`DELETE FROM snapshots WHERE session >= ?`),
      dropSessionsAfter: db.prepare(`DELETE FROM sessions WHERE id > ?`),
      reopen: db.prepare(`UPDATE sessions SET state = 'open', closed_ts = NULL WHERE id = ?`),
      // Requests stored after a close that a cut undoes (decision 130): that close is no longer in the log.
      dropDeferredFrom: db.prepare(`DELETE FROM deferred_commands WHERE session >= ?`),
    };
    this.inTransaction = db.transaction((fn: () => unknown) => fn());
    this.checkpointer = file?.backgroundCheckpoint ? new BackgroundCheckpointer(db, file.path, file.synchronous, file.checkpointThread !== false) : undefined;
    if (file) {
      this.path = file.path;
      this.identity = fileIdentity(file.path);
      // A log ahead of its head (a crash between commit and head write, or a first start with this
      // build) moves the head up; one behind keeps it, until someone accepts the loss (acceptEnd).
      const known = readHead(file.path);
      this.head = new HeadWriter(file.path);
      const end = this.end();
      if (end && (!known || isBehind(known, end))) this.head.write(end);
      else if (known) this.head.write(known);
    }
  }

  /**
   * Runs `fn` in one write transaction: all of it is stored, or none. Refuses
   * (StoreError) when the database file was removed or replaced under this
   * connection: SQLite would go on writing to the unlinked file, and every
   * acknowledgement from then on would be lost at the next start.
   */
  transaction<T>(fn: () => T): T {
    this.checkFile();
    this.pendingHead = undefined;
    this.pendingSession = 0;
    let result: T;
    try {
      result = this.inTransaction.immediate(fn) as T;
    } catch (err) {
      // Rows of session contexts added in it are gone with it (decision 278).
      contextsOf(this.db).forget();
      throw err;
    }
    if (this.pendingHead) this.head?.write(this.pendingHead);
    else if (this.pendingSession !== 0) this.head?.writeAt(this.pendingSession, this.pendingSeq);
    this.checkpointer?.committed();
    return result;
  }

  private deferredTable: DeferredCommands | undefined;

  /** Requests taken while no session is open, for the next open (decision 130). */
  get deferred(): DeferredCommands {
    return (this.deferredTable ??= new DeferredCommands(this.db));
  }

  appendFrame(session: number, firstSeq: number, lastSeq: number, bytes: Uint8Array): void {
    if (!fitsKey(session, firstSeq, lastSeq)) {
      throw new StoreError(`frame of session ${session}, seq ${firstSeq}-${lastSeq} cannot be stored: at most ${MAX_SESSION} sessions of ${MAX_SEQ} events each`);
    }
    const n = lastSeq - firstSeq + 1;
    let body: Uint8Array;
    try {
      // Stored without the head fields its row holds (schema 6, stored-frame.ts); the CRC is the stored body's with the key mixed in (decision 278).
      body = storedBody(bytes, session, firstSeq, n, contextsOf(this.db).writer(session));
    } catch (err) {
      throw new StoreError(`frame of session ${session}, seq ${firstSeq}-${lastSeq} cannot be stored: ${(err as Error).message}`);
    }
    // A duplicate key (the same session and first seq twice) fails the insert as the unique index did.
    this.w.append.run(session * SEQ_SPAN + firstSeq, n, storedCrc(rowCrc(session, firstSeq, body)), body);
    // The last change in the transaction names the head (a repair's cut, then appends: the appends').
    this.pendingHead = undefined;
    this.pendingSession = session;
    this.pendingSeq = lastSeq;
    this.checkpointer?.appended(body.length);
  }

  /** Moves the head back to where the log ends: the operator accepts that later events are lost. */
  acceptEnd(): LogHead {
    const end = this.end() ?? { session: 0, seq: 0 };
    this.head?.write(end);
    return end;
  }

  /** Largest WAL file size the checkpointer has seen (bytes; 0 without one). */
  get maxWalBytes(): number {
    return this.checkpointer?.maxWalBytes ?? 0;
  }

  /**
   * Shared memory whose slot 0 is 1 while the writer's WAL restart is under way (due, run, and the commit that
   * starts the WAL over not yet made): readers on other threads that can wait (the compactor's) start no read then.
   * Undefined without a checkpointer (an in-memory log).
   */
  get restartHold(): Int32Array | undefined {
    return this.checkpointer?.restartHold;
  }

  /** Checkpoints the writer ran on its own connection, and how many of them waited for a later turn (decision 268). */
  get writerCheckpoints(): { readonly run: number; readonly deferred: number } {
    return { run: this.checkpointer?.inlineCount ?? 0, deferred: this.checkpointer?.deferred ?? 0 };
  }

  /**
   * Runs the WAL checkpoint that a commit made due on the writer's thread, if any (decision 268). It runs by
   * itself in the next event-loop turn; a writer may call this earlier, between two commits.
   */
  checkpointIfDue(): boolean {
    return this.checkpointer?.checkpointIfDue() ?? false;
  }

  override close(): void {
    this.checkpointer?.close();
    this.head?.close();
    // The writer's close is the last of the host's (the readers close first): opened read-write here and closed
    // with the log, the checkpoint file's last connection checkpoints its WAL and removes it (decision 252).
    if (this.path) checkpointFileOf(this.db);
    super.close();
  }

  /**
   * Per commit, the file's identity (inode, device): a removed log and a file renamed over it are both refused at the
   * very next commit, so no event is acknowledged into a file that a restart would not find (issue 11; decision 277
   * weighed checking the identity only every 64th commit for ~0.9 KB less garbage a commit and kept this).
   */
  private checkFile(): void {
    if (!this.path || !this.identity) return;
    const now = fileIdentity(this.path);
    if (!now) throw new StoreError(`event log ${this.path} was removed under the running host; no further event is taken (restore it from a backup: docs/reliability.md)`);
    if (now.ino !== this.identity.ino || now.dev !== this.identity.dev) {
      throw new StoreError(`event log ${this.path} was replaced under the running host; no further event is taken (restart to use the new file)`);
    }
  }

  openSession(id: number, ts: number): void {
    this.w.openSession.run(id, ts);
  }

  closeSession(id: number, ts: number, snapshot: { seq: number; body: unknown }): void {
    const changed = this.w.closeSession.run(ts, id).changes;
    if (changed !== 1) throw new StoreError(`session ${id} is not open`);
    const body = JSON.stringify(snapshot.body);
    this.w.snapshot.run(id, snapshot.seq, ts, crc32(body), body);
  }

  /** Replaces (or adds) the snapshot of a closed session: for repair, which rebuilds it from the session's log. */
  putSnapshot(session: number, seq: number, ts: number, body: unknown): void {
    const text = JSON.stringify(body);
    const crc = crc32(text);
    if (this.w.replaceSnapshot.run(seq, crc, text, session).changes === 0) this.w.snapshot.run(session, seq, ts, crc, text);
  }

  /**
   * Removes every frame from row key `rowId` (in `session`; CorruptionReport.rowId) on, every later
   * session, and the session's close (for explicit repair only). A session
   * left without any frame is removed too: nothing says it ever opened, and
   * the one before stays closed with its snapshot, ready for the next open.
   * Returns the number of frames removed.
   */
  truncateFrom(session: number, rowId: number): number {
    contextsOf(this.db).forget();
    const removed = this.w.truncateFrames.run(rowId).changes;
    const kept = this.lastSeq(session);
    // Checkpoints past a cut are of events no longer in the log (derivable data, decision 085). Their anchors
    // no longer match (readers skip them, decision 252); removed here all the same, in their own file.
    if (checkpointFileOf(this.db)) new CheckpointWriter(this.db).dropPast(session, kept);
    this.w.dropDeferredFrom.run(session);
    this.w.dropSnapshotsFrom.run(session);
    this.w.dropSessionsAfter.run(session);
    if (kept === 0) this.w.dropSessionsAfter.run(session - 1);
    else this.w.reopen.run(session);
    // The head follows on purpose: what was cut is given up.
    this.pendingHead = this.end() ?? { session: 0, seq: 0 };
    this.pendingSession = 0;
    return removed;
  }
}

export interface OpenOptions {
  /** `normal` (default) survives a process crash; `full` also survives power loss. */
  readonly synchronous?: 'normal' | 'full';
  /** Checkpoint the WAL on a background thread (default) rather than inside commits. */
  readonly backgroundCheckpoint?: boolean;
  /**
   * false: the writer checkpoints the WAL every MiB itself, in a turn of its own after the commit (what it does
   * when the thread cannot start; for tests and tools). Default true.
   */
  readonly checkpointThread?: boolean;
}

function fileIdentity(path: string): { ino: number; dev: number } | undefined {
  const st = statSync(path, { throwIfNoEntry: false });
  return st ? { ino: st.ino, dev: st.dev } : undefined;
}

function migrate(db: Database.Database, path: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new StoreError(`${path} has schema version ${version}, newer than this build (${SCHEMA_VERSION}); upgrade Ordo`);
  }
  for (const m of MIGRATIONS) {
    if (m.version <= version) continue;
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
  // Converting an old log's frames (version 4, decision 254) leaves the old table's pages free in the file:
  // the file is rewritten once, at its new size (VACUUM is one transaction too: a crash keeps the old file).
  // Not needed for correctness: if it cannot run (another connection reading), the free pages are reused by new frames.
  if (version >= 1 && version < FRAMES_KEYED_VERSION && (db.pragma('freelist_count', { simple: true }) as number) > 0) {
    try {
      db.exec('VACUUM');
      db.pragma('wal_checkpoint(TRUNCATE)');
    } catch (err) {
      logger.warn(`event log ${path}: converted to schema ${FRAMES_KEYED_VERSION}, but its file was not rewritten (${(err as Error).message}); its free pages are reused by new frames`);
    }
  }
}

/** The schema version that keys frames by (session, first seq) (frame-key.ts). */
const FRAMES_KEYED_VERSION = 4;

function open(path: string, readonly: boolean): Database.Database {
  if (readonly && !existsSync(path)) throw new StoreError(`no event log at ${path}`);
  let db: Database.Database;
  try {
    db = new Database(path, { readonly, fileMustExist: readonly });
    db.pragma('busy_timeout = 5000');
  } catch (err) {
    throw new StoreError(logAccessProblem(path, readonly) ?? `cannot open event log ${path}: ${(err as Error).message}`);
  }
  try {
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (err) {
    db.close();
    throw new StoreError(logAccessProblem(path, readonly) ?? `${path} is not a readable SQLite database: ${(err as Error).message}`);
  }
  return db;
}

/** Opens (creating and migrating if needed) the log for writing. */
export function openWritableLog(path: string, options: OpenOptions = {}): WritableLog {
  const db = open(path, false);
  const synchronous = options.synchronous === 'full' ? 'FULL' : 'NORMAL';
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous}`);
    db.pragma('foreign_keys = ON');
    migrate(db, path);
  } catch (err) {
    db.close();
    if (err instanceof StoreError) throw err;
    throw new StoreError(`cannot prepare event log ${path}: ${(err as Error).message}`);
  }
  // An in-memory log has no file beside which to keep a head, and nothing to checkpoint.
  if (path === ':memory:' || path === '') return new WritableLog(db);
  return new WritableLog(db, { path, synchronous, backgroundCheckpoint: options.backgroundCheckpoint !== false, checkpointThread: options.checkpointThread !== false });
}

/** Opens an existing log read-only (CLI, replay service, time machine). */
export function openReadableLog(path: string): ReadableLog {
  const db = open(path, true);
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version === 0) {
    db.close();
    throw new StoreError(`${path} is not an Ordo event log (no schema)`);
  }
  if (version > SCHEMA_VERSION) {
    db.close();
    throw new StoreError(`${path} has schema version ${version}, newer than this build (${SCHEMA_VERSION}); upgrade Ordo`);
  }
  return new ReadableLog(db);
}

/**
 * The decode error of a frame read within a page or from its stored form, as
 * the frame alone gives it: its byte offsets count from the start of its wire
 * form (what `events()` and `verify` decode), not the page's or the row's.
 */
function frameAlone(err: unknown, frame: Uint8Array, session: number, firstSeq: number, db: Database.Database): unknown {
  if (!(err instanceof DecodeError) || err instanceof NewerFormatError) return err;
  try {
    // Its wire form (a stored-form body gets its head from the row): byte offsets as decodeFrame gives them.
    visitFrame(wireFrame(session, firstSeq, frame, 0, frame.length, contextsOf(db).of(session)), () => undefined);
  } catch (alone) {
    return alone;
  }
  return err;
}

/**
 * What a frame that fails to decode means: a frame of a newer codec version
 * (a newer Ordo wrote it) is a StoreError, one line saying to upgrade; any
 * other decode failure is damage (CorruptionError with its location).
 */
function frameError(err: unknown, session: number, firstSeq: number, lastSeq: number): unknown {
  if (err instanceof NewerFormatError) return new StoreError(`session ${session}, seq ${firstSeq}-${lastSeq}: ${err.message}`);
  if (err instanceof DecodeError) return new CorruptionError(session, firstSeq, lastSeq, err.message);
  return err;
}
