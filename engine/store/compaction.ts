import type Database from 'better-sqlite3';
import { decodeFrame, encodeFrame, EncodeError, FrameBuilder, visitFrameReusing } from '../protocol/codec.ts';
import { DecodeError } from '../protocol/bytes.ts';
import type { Sequenced } from '../protocol/events.ts';
import type { WritableLog } from './log.ts';
import { log } from '../log.ts';
import { frameKey, MAX_SEQ, SEQ_SPAN, storedCrc } from './frame-key.ts';
import { contextsOf } from './session-context.ts';
import { crcMatches, rowCrc, storedBody, wireFrame } from './stored-frame.ts';

/**
 * Frame compaction (decision 120): a live sequencer commits what has arrived
 * in one I/O turn, so at ordinary rates a frame holds 1–10 events, and each
 * small frame pays its own row, index entry, header and string table (~87
 * bytes per event in 1-event frames, and a replay that runs per frame, not per
 * event). Behind the head, runs of small consecutive frames are rewritten as
 * one frame of up to COMPACT_EVENTS events: the same events, decoded and
 * re-encoded, in one transaction that deletes the run and inserts the merged
 * frame under the run's first frame's key (the background compactor first
 * replaces a long run's rows by pieces, a bounded transaction each: decision 268) (frame-key.ts: the key is the
 * session and first seq, so keys still grow with seq, which `truncateFrom`
 * relies on). Readers never see a half-done merge (one
 * transaction; WAL snapshots), and every reader already accepts a frame that
 * starts before the seq it asked for.
 */

/** Events per merged frame, at most (the sequencer's own MAX_FRAME_EVENTS). */
export const COMPACT_EVENTS = 4096;
/** A frame this large is left as it is: merging it would gain little. */
const BIG_FRAME = COMPACT_EVENTS / 4;
/** Rows (without bodies) read per step, at most. */
const ROWS_PER_STEP = 8192;

export interface CompactionStep {
  /** Frames removed by merging. */
  readonly framesRemoved: number;
  /** Merged frames written. */
  readonly framesWritten: number;
  /** Events moved into merged frames. */
  readonly events: number;
  /** The first seq the next step looks at. */
  readonly cursor: number;
  /** True when nothing below `upTo` is left to merge (the rest is waiting for more events). */
  readonly caughtUp: boolean;
}

/** A frame's row without its body (bodies are read only for runs being merged). */
type Row = [key: number, firstSeq: number, lastSeq: number];

/** A statement over the frames of `session` with first seq in [a, b] (and more parameters after): its keys are a range. */
class SeqRange {
  constructor(
    private readonly stmt: Database.Statement,
    /** Called before each read (the compactor's thread: waits while the writer restarts the WAL). */
    private readonly gate?: () => void,
  ) {}
  all(session: number, a: number, b: number, ...more: number[]): unknown[] {
    this.gate?.();
    return this.stmt.all(frameKey(session, a), frameKey(session, b), ...more);
  }
  get(session: number, a: number, b: number): unknown {
    return this.stmt.get(frameKey(session, a), frameKey(session, b));
  }
  run(session: number, a: number, b: number): Database.RunResult {
    return this.stmt.run(frameKey(session, a), frameKey(session, b));
  }
}

/** Prepared statements of one log's compactor (on the writer's connection, or the read ones on the compactor thread's). */
class Statements {
  readonly rows;
  readonly bodies;
  readonly count;
  readonly remove;
  readonly insert;
  readonly latestSession;
  readonly lastSeq;
  /** The session contexts small stored frames refer to (decision 278). */
  readonly contexts;
  constructor(db: Database.Database, gate?: () => void) {
    this.contexts = contextsOf(db);
    const first = `key % ${SEQ_SPAN}`;
    const last = `key % ${SEQ_SPAN} + n - 1`;
    this.rows = new SeqRange(db.prepare(`SELECT key, ${first}, ${last} FROM frames WHERE key >= ? AND key <= ? ORDER BY key LIMIT ?`).raw(true), gate);
    // Every range below is a key range (session, first seq in [a, b]: frame-key.ts), so the table's own
    // b-tree bounds the scan; frames are disjoint and consecutive, so first seq in [a, b] picks exactly the
    // frames of a run a..b.
    this.bodies = new SeqRange(db.prepare(`SELECT ${first}, ${last}, crc, body FROM frames WHERE key >= ? AND key <= ? ORDER BY key`).raw(true), gate);
    this.count = new SeqRange(db.prepare('SELECT count(*) FROM frames WHERE key >= ? AND key <= ?').pluck());
    this.remove = new SeqRange(db.prepare('DELETE FROM frames WHERE key >= ? AND key <= ?'));
    this.insert = db.prepare('INSERT INTO frames (key, n, crc, body) VALUES (?, ?, ?, ?)');
    this.latestSession = db.prepare('SELECT max(id) FROM sessions').pluck();
    const lastSeq = db.prepare(`SELECT ${last} FROM frames WHERE key >= ? AND key <= ? ORDER BY key DESC LIMIT 1`).pluck();
    this.lastSeq = { get: (session: number): unknown => lastSeq.get(frameKey(session, 0), frameKey(session, MAX_SEQ)) };
  }
}

/** Inserts merged frame `wire` (session, firstSeq, n events) under `key` in its stored form, with its row's crc (decision 278). */
function storeMerged(st: Statements, key: number, session: number, firstSeq: number, n: number, wire: Uint8Array): void {
  const body = storedBody(wire, session, firstSeq, n, st.contexts.writer(session));
  st.insert.run(key, n, storedCrc(rowCrc(session, firstSeq, body)), body);
}

const statements = new WeakMap<WritableLog, Statements>();

function statementsOf(log: WritableLog): Statements {
  let s = statements.get(log);
  if (s === undefined) {
    s = new Statements(log.db);
    statements.set(log, s);
  }
  return s;
}

/** The newest session of the log (0: none), and the last seq stored in `session` (0: none): where the background compactor looks next. */
export function compactionBounds(log: WritableLog, session?: number): { latest: number; lastSeq: number } {
  const st = statementsOf(log);
  const latest = (st.latestSession.get() as number | null) ?? 0;
  return { latest, lastSeq: session === undefined ? 0 : ((st.lastSeq.get(session) as number | undefined) ?? 0) };
}

/** Why a run was left alone (a frame that does not check out is never rewritten). */
export class CompactionSkipped extends Error {
  override name = 'CompactionSkipped';
}

/** Decodes the run's frames (checking each checksum) and encodes them as one frame. */
function merge(st: Statements, session: number, run: readonly Row[]): Uint8Array {
  const events: Sequenced[] = [];
  const rows = st.bodies.all(session, run[0]![1], run[run.length - 1]![1]) as [number, number, number, Buffer][];
  if (rows.length !== run.length) throw new CompactionSkipped(`frames ${run[0]![1]}-${run[run.length - 1]![2]} changed while being read`);
  for (const [first, last, crc, stored] of rows) {
    if (!crcMatches(session, first, stored, crc)) throw new CompactionSkipped(`checksum mismatch in frame ${first}-${last}`);
    let body: Uint8Array;
    try {
      body = wireFrame(session, first, stored, 0, stored.length, st.contexts.of(session));
    } catch (err) {
      if (err instanceof DecodeError) throw new CompactionSkipped(`frame ${first}-${last}: ${err.message}`);
      throw err;
    }
    try {
      for (const e of decodeFrame(body).events) events.push(e);
    } catch (err) {
      if (err instanceof DecodeError) throw new CompactionSkipped(`frame ${first}-${last}: ${err.message}`);
      throw err;
    }
  }
  try {
    return encodeFrame(session, events);
  } catch (err) {
    if (err instanceof EncodeError) throw new CompactionSkipped(`frames ${run[0]![1]}-${run[run.length - 1]![2]}: ${err.message}`);
    throw err;
  }
}

/**
 * One bounded step of compaction of `session`: looks at frames from seq
 * `cursor` on whose seqs are all <= `upTo` (both inclusive), merges runs of
 * consecutive small frames into frames of up to COMPACT_EVENTS events, and
 * writes at most `maxWrites` merged frames (each in its own transaction).
 * A run cut short by `upTo` is left for a later step, unless `finish` (the
 * session is closed: its tail will not grow). A run that does not decode or
 * check out is skipped, never rewritten (CompactionSkipped is reported
 * through `onSkip`).
 */
export function compactStep(
  log: WritableLog,
  session: number,
  cursor: number,
  upTo: number,
  opts: { maxWrites?: number; finish?: boolean; onSkip?: (err: CompactionSkipped) => void } = {},
): CompactionStep {
  const st = statementsOf(log);
  const maxWrites = opts.maxWrites ?? 1;
  let framesRemoved = 0;
  let framesWritten = 0;
  let events = 0;
  const read = st.rows.all(session, cursor, upTo, ROWS_PER_STEP) as Row[];
  const moreRows = read.length === ROWS_PER_STEP;
  // The last frame may start at or before upTo and end after it: not ours yet.
  const rows = read.length > 0 && read[read.length - 1]![2] > upTo ? read.slice(0, -1) : read;
  let run: Row[] = [];
  let runEvents = 0;
  const flush = (): boolean => {
    if (run.length === 0) return true;
    const first = run[0]!;
    const last = run[run.length - 1]!;
    if (run.length > 1) {
      let bytes: Uint8Array;
      try {
        bytes = merge(st, session, run);
      } catch (err) {
        if (!(err instanceof CompactionSkipped)) throw err;
        opts.onSkip?.(err);
        cursor = last[2] + 1;
        run = [];
        runEvents = 0;
        return true;
      }
      const wrote = log.transaction(() => {
        // Only the writer changes frames; still, never merge rows that are not exactly the ones read.
        if ((st.count.get(session, first[1], last[1]) as number) !== run.length) return false;
        st.remove.run(session, first[1], last[1]);
        storeMerged(st, first[0], session, first[1], last[2] - first[1] + 1, bytes);
        return true;
      });
      if (!wrote) return false;
      framesRemoved += run.length;
      framesWritten++;
      events += runEvents;
    }
    cursor = last[2] + 1;
    run = [];
    runEvents = 0;
    return true;
  };
  let stopped = false;
  for (const row of rows) {
    if (row[1] !== cursor + runEvents) {
      // A gap (should not happen in a verified log): merge nothing across it.
      if (!flush()) return { framesRemoved, framesWritten, events, cursor, caughtUp: false };
      cursor = row[1];
    }
    const n = row[2] - row[1] + 1;
    if (n >= BIG_FRAME || runEvents + n > COMPACT_EVENTS) {
      if (!flush()) return { framesRemoved, framesWritten, events, cursor, caughtUp: false };
      if (framesWritten >= maxWrites) {
        stopped = true;
        break;
      }
      if (n >= BIG_FRAME) {
        cursor = row[2] + 1;
        continue;
      }
    }
    run.push(row);
    runEvents += n;
  }
  // A run cut short by the row limit is left for the next step (which starts at it and sees more rows);
  // one cut short by upTo waits for more events, unless the session is finished.
  if (!stopped && !moreRows && opts.finish === true && framesWritten < maxWrites) flush();
  const caughtUp = !stopped && !moreRows && (run.length === 0 || opts.finish !== true);
  return { framesRemoved, framesWritten, events, cursor, caughtUp };
}

/**
 * Compacts all of `session` up to `upTo` (inclusive) now, in steps; for the
 * bench, the CLI and tests. Returns the totals.
 */
export function compactSession(log: WritableLog, session: number, upTo: number, finish = false): { framesRemoved: number; framesWritten: number; events: number } {
  let cursor = 1;
  const total = { framesRemoved: 0, framesWritten: 0, events: 0 };
  for (;;) {
    const s = compactStep(log, session, cursor, upTo, { maxWrites: 64, finish });
    total.framesRemoved += s.framesRemoved;
    total.framesWritten += s.framesWritten;
    total.events += s.events;
    if (s.caughtUp || s.cursor === cursor) return total;
    cursor = s.cursor;
  }
}

/**
 * Rows looked at, and frames decoded, per turn of the background compactor. Each turn holds the host's main thread
 * (no order is answered in it), so they are small: 512 rows and 128 frames made turns of 0.3 ms at the median
 * but 2.7–3.0 ms at the 99th percentile, ~10 a second at 1,000 orders/s; 128 and 32 make 0.08 and 0.3 ms for the
 * same CPU in all (bench/compaction-turns.ts; docs/decisions/225). The write (the run's ~1,300 rows deleted and the
 * merged frame inserted in one transaction, ~0.5 ms CPU quiet) is cut into pieces of ROWS_PER_WRITE rows since
 * decision 268.
 */
export const ROWS_PER_TURN = 128;
export const FRAMES_PER_TURN = 32;

/** How much one turn of compactTurns may take on (rows looked at, frames read and decoded). */
export interface TurnSize {
  readonly rows?: number;
  readonly frames?: number;
  /** Events per merged frame, at most (default COMPACT_EVENTS). */
  readonly events?: number;
  /** Rows one write transaction deletes, at most (default ROWS_PER_WRITE): a longer run is written in pieces first. */
  readonly writeRows?: number;
}

/**
 * compactStep with one merged frame at most, cut into turns for the live
 * host's event loop (FrameCompactor): the generator yields after each slice of
 * rows looked at, each slice of frames read and decoded, and the encode, and
 * writes the merged frame in its last turn. A whole step in one turn took
 * 10-60 ms of CPU on the 2-core build machine (a 4,096-event run of small
 * frames: read 8,192 rows, decode, encode, delete, insert), a stall of every
 * order acknowledgement behind it (issue 11). Only frames at or below `upTo`
 * are touched, and the live writer only appends above the head: between two
 * turns nothing the run covers changes; the write still checks that the run's
 * rows are exactly the ones read.
 */
export function compactTurns(log: WritableLog, session: number, cursor: number, upTo: number, onSkip?: (err: CompactionSkipped) => void, size: TurnSize = {}): Generator<void, CompactionStep> {
  const st = statementsOf(log);
  return turnsOf(st, session, cursor, upTo, onSkip, size, (w) => writeMerge(log, session, w));
}

/**
 * One write of the background compactor: the `rows` frames of a session whose first seqs lie in [fromSeq, toSeq]
 * replaced by one frame of `n` events under `key` (the first of them's key). Made by compactTurns' merge (on the
 * writer's thread, or planned on the compactor's thread: compaction-thread.ts) and applied by writeMerge.
 */
export interface MergeWrite {
  readonly fromSeq: number;
  readonly toSeq: number;
  readonly rows: number;
  readonly key: number;
  readonly n: number;
  readonly bytes: Uint8Array;
}

/** Applies `w` in a transaction of its own on the writer; false (nothing written) when the rows standing there are not exactly the ones it replaces. */
export function writeMerge(log: WritableLog, session: number, w: MergeWrite): boolean {
  const st = statementsOf(log);
  return log.transaction(() => {
    // Only the writer changes frames; still, never merge rows that are not exactly the ones read (or written).
    if ((st.count.get(session, w.fromSeq, w.toSeq) as number) !== w.rows) return false;
    st.remove.run(session, w.fromSeq, w.toSeq);
    storeMerged(st, w.key, session, w.fromSeq, w.n, w.bytes);
    return true;
  });
}

/**
 * Plans one step of compactTurns on a read connection (the compactor's thread): reads, checks, decodes and encodes
 * as compactTurns does, and returns the writes it would have made, in order, for the writer to apply with
 * writeMerge (each checks that its rows are still the ones read). The step's cursor holds only if every write is
 * applied. `gate` is called before each read.
 */
export function planStep(
  db: Database.Database,
  session: number,
  cursor: number,
  upTo: number,
  size: TurnSize = {},
  gate?: () => void,
): { step: CompactionStep; writes: MergeWrite[]; skipped: string[] } {
  const writes: MergeWrite[] = [];
  const skipped: string[] = [];
  const turns = turnsOf(readStatementsOf(db, gate), session, cursor, upTo, (err) => skipped.push(err.message), size, (w) => {
    writes.push(w);
    return true;
  });
  for (;;) {
    const r = turns.next();
    if (r.done) return { step: r.value, writes, skipped };
  }
}

const readStatements = new WeakMap<Database.Database, Statements>();

/** A connection's read statements, each read behind `gate` (the first call's). */
function readStatementsOf(db: Database.Database, gate?: () => void): Statements {
  let s = readStatements.get(db);
  if (s === undefined) {
    s = new Statements(db, gate);
    readStatements.set(db, s);
  }
  return s;
}

function* turnsOf(
  st: Statements,
  session: number,
  cursor: number,
  upTo: number,
  onSkip: ((err: CompactionSkipped) => void) | undefined,
  size: TurnSize,
  write: (w: MergeWrite) => boolean,
): Generator<void, CompactionStep> {
  const rowsPerTurn = size.rows ?? ROWS_PER_TURN;
  const cap = size.events ?? COMPACT_EVENTS;
  const big = cap / 4;
  const done = (framesRemoved: number, framesWritten: number, events: number, caughtUp: boolean): CompactionStep => ({ framesRemoved, framesWritten, events, cursor, caughtUp });
  let run: Row[] = [];
  let runEvents = 0;
  let next = cursor;
  for (;;) {
    const read = st.rows.all(session, next, upTo, rowsPerTurn) as Row[];
    const more = read.length === rowsPerTurn;
    // The last frame may start at or before upTo and end after it: not ours yet.
    const rows = read.length > 0 && read[read.length - 1]![2] > upTo ? read.slice(0, -1) : read;
    for (const row of rows) {
      const n = row[2] - row[1] + 1;
      const gap = row[1] !== cursor + runEvents;
      if (gap || n >= big || runEvents + n > cap) {
        if (run.length > 1) {
          // The run is complete: merge it over the next turns and end the step.
          const merged = yield* mergeTurns(write, st, session, run, runEvents, onSkip, size.frames ?? FRAMES_PER_TURN, Math.max(2, size.writeRows ?? ROWS_PER_WRITE));
          if (merged === 'changed') return done(0, 0, 0, false);
          cursor = run[run.length - 1]![2] + 1;
          return merged === 'skipped' ? done(0, 0, 0, false) : done(run.length, 1, runEvents, false);
        }
        // Nothing to merge before this row (a gap should not happen in a verified log: nothing merges across one).
        cursor = gap ? row[1] : cursor + runEvents;
        run = [];
        runEvents = 0;
        if (n >= big) {
          cursor = row[2] + 1;
          continue;
        }
      }
      run.push(row);
      runEvents += n;
    }
    // A run cut short by upTo waits for more events.
    if (!more || rows.length < read.length) return done(0, 0, 0, true);
    next = read[read.length - 1]![1] + 1;
    yield;
  }
}

/**
 * Rows one write transaction of the background compactor deletes, at most (decision 268). A run of more rows is
 * written in pieces: each piece of ROWS_PER_WRITE consecutive rows, once decoded, is replaced by one frame of
 * its events in a transaction of its own, and the last transaction replaces those piece frames and the run's
 * remaining rows by the merged frame built from the original rows' events (so the log ends as one whole-run write
 * leaves it, byte for byte). Deleting a whole run of ~1,365 rows in one transaction was the compactor's longest
 * turn (~0.5 ms CPU quiet, over 1 ms at load: docs/notes/2026-12-01-r13/compactor.md).
 */
export const ROWS_PER_WRITE = 128;

/** Reads, checks and decodes `run` a slice per turn, writes it in pieces when it is long, encodes it in a turn of its own, and writes it in the last. */
function* mergeTurns(
  write: (w: MergeWrite) => boolean,
  st: Statements,
  session: number,
  run: readonly Row[],
  runEvents: number,
  onSkip: ((err: CompactionSkipped) => void) | undefined,
  framesPerTurn: number,
  writeRows: number,
): Generator<void, 'merged' | 'skipped' | 'changed'> {
  const first = run[0]!;
  const last = run[run.length - 1]!;
  // Each slice's events go into the frame as they are decoded (not held until the last turn: issue 11).
  const frame = new FrameBuilder(session);
  // Pieces (only when the run has more rows than one write may delete): the rows decoded since the last piece.
  const pieced = run.length > writeRows;
  let piece = pieced ? new FrameBuilder(session) : undefined;
  let pieceRows: Row[] = [];
  /** Rows now standing where the run's decoded-and-pieced part was: one per piece written. */
  let piecesWritten = 0;
  const ready: { rows: Row[]; bytes: Uint8Array }[] = [];
  const encodeError = (err: unknown): unknown => (err instanceof EncodeError ? new CompactionSkipped(`frames ${first[1]}-${last[2]}: ${err.message}`) : err);
  try {
    for (let i = 0; i < run.length; i += framesPerTurn) {
      yield;
      const part = run.slice(i, i + framesPerTurn);
      const rows = st.bodies.all(session, part[0]![1], part[part.length - 1]![1]) as [number, number, number, Buffer][];
      if (rows.length !== part.length) throw new CompactionSkipped(`frames ${part[0]![1]}-${part[part.length - 1]![2]} changed while being read`);
      for (let j = 0; j < rows.length; j++) {
        const [f, l, crc, stored] = rows[j]!;
        if (!crcMatches(session, f, stored, crc)) throw new CompactionSkipped(`checksum mismatch in frame ${f}-${l}`);
        let body: Uint8Array;
        try {
          body = wireFrame(session, f, stored, 0, stored.length, st.contexts.of(session));
        } catch (err) {
          if (err instanceof DecodeError) throw new CompactionSkipped(`frame ${f}-${l}: ${err.message}`);
          throw err;
        }
        // Decoded into objects rewritten for each event (the builders copy what they take at once): a turn's
        // ~100 events leave no garbage of their own for the scavenger that the sequencer's thread pays for.
        try {
          visitFrameReusing(body, (e) => {
            frame.add(e);
            piece?.add(e);
          });
        } catch (err) {
          if (err instanceof DecodeError) throw new CompactionSkipped(`frame ${f}-${l}: ${err.message}`);
          throw encodeError(err);
        }
        if (piece !== undefined) {
          pieceRows.push(part[j]!);
          // The run's last rows are not a piece: the last write deletes them with the pieces.
          if (pieceRows.length === writeRows && i + j + 1 < run.length) {
            try {
              ready.push({ rows: pieceRows, bytes: piece.finish() });
            } catch (err) {
              throw encodeError(err);
            }
            piece = new FrameBuilder(session);
            pieceRows = [];
          }
        }
      }
      // Each piece in a turn of its own: at most writeRows rows deleted and one frame inserted.
      for (let p = ready.shift(); p !== undefined; p = ready.shift()) {
        yield;
        const pf = p.rows[0]!;
        const pl = p.rows[p.rows.length - 1]!;
        if (!write({ fromSeq: pf[1], toSeq: pl[1], rows: p.rows.length, key: pf[0], n: pl[2] - pf[1] + 1, bytes: p.bytes })) return 'changed';
        piecesWritten++;
      }
    }
    if (frame.count !== runEvents) throw new CompactionSkipped(`frames ${first[1]}-${last[2]} hold ${frame.count} events, their rows say ${runEvents}`);
    yield;
    let bytes: Uint8Array;
    try {
      bytes = frame.finish();
    } catch (err) {
      throw encodeError(err);
    }
    yield;
    // Standing in the run's place now: the pieces, then the rows not pieced.
    const standing = piecesWritten + pieceRows.length + (pieced ? 0 : run.length);
    return write({ fromSeq: first[1], toSeq: last[1], rows: standing, key: first[0], n: last[2] - first[1] + 1, bytes }) ? 'merged' : 'changed';
  } catch (err) {
    if (!(err instanceof CompactionSkipped)) throw err;
    onSkip?.(err);
    return 'skipped';
  }
}

export interface CompactorOptions {
  /** The newest this many events of the open session stay as written (default 16,384). */
  readonly lagEvents?: number;
  /** Time between rounds of steps (default 100 ms). */
  readonly everyMs?: number;
  /** Time a round may spend, in turns of a fraction of a millisecond each (default 10 ms: at most ~10 % of a core). */
  readonly budgetMs?: number;
}

/**
 * Background compaction of the writer's log: a timer on the writer's thread
 * (so a step always runs between two commits) merges small frames behind the
 * head. Each round runs turns of a step (compactTurns: a slice of rows, a
 * slice of frames, the encode or the write, each well under a millisecond
 * to a few), one per event-loop turn (so the sequencer's receives and commits
 * run in between), until caught up or the round's budget is spent. The newest `lagEvents` of
 * every session stay as written; a closed session is caught up before the
 * next one is taken up. Sessions closed before the compactor started are
 * left as they are. Never throws into
 * the timer: a failing step is reported once and compaction stops.
 */
export class FrameCompactor {
  private readonly timer: NodeJS.Timeout;
  private session = 0;
  private cursor = 1;
  private stopped = false;
  /** The step under way (its session), advanced a turn at a time. */
  private current: { session: number; turns: Generator<void, CompactionStep> } | undefined;
  /** Totals since start (for the bench and tests). */
  readonly stats = { framesRemoved: 0, framesWritten: 0, events: 0, steps: 0 };

  constructor(
    private readonly log: WritableLog,
    private readonly opts: CompactorOptions = {},
  ) {
    this.timer = setInterval(() => this.round(), opts.everyMs ?? 100);
    this.timer.unref();
  }

  private round(): void {
    const deadline = performance.now() + (this.opts.budgetMs ?? 10);
    const next = (): void => {
      if (this.step() && performance.now() < deadline) setImmediate(next);
    };
    next();
  }

  /** One turn of a step now (the timer calls it); returns whether there is more to do right away. */
  step(): boolean {
    if (this.stopped || !this.log.db.open) return false;
    try {
      if (this.current) {
        const r = this.current.turns.next();
        if (!r.done) return true;
        const session = this.current.session;
        this.current = undefined;
        return this.stepped(session, r.value);
      }
      const st = statementsOf(this.log);
      const latest = (st.latestSession.get() as number | null) ?? 0;
      if (latest === 0) return false;
      if (this.session === 0 || this.session > latest) {
        this.session = latest;
        this.cursor = 1;
      }
      const closedSession = this.session < latest;
      // The newest lagEvents of every session stay as written, a closed session's too (its tail is small and
      // is what a repair or a late reader of that session's end looks at).
      const head = (st.lastSeq.get(this.session) as number | undefined) ?? 0;
      const upTo = head - (this.opts.lagEvents ?? 16_384);
      if (upTo < this.cursor) {
        if (!closedSession) return false;
        this.session++;
        this.cursor = 1;
        return true;
      }
      this.current = { session: this.session, turns: compactTurns(this.log, this.session, this.cursor, upTo, (err) => log.warn(`event log: compaction skipped a run: ${err.message}`)) };
      return true;
    } catch (err) {
      this.stopped = true;
      this.current = undefined;
      log.error(`event log: compaction stopped: ${(err as Error).message}`);
      return false;
    }
  }

  /** A step of `session` ended: counts it and moves on. */
  private stepped(session: number, s: CompactionStep): boolean {
    this.stats.steps++;
    this.stats.framesRemoved += s.framesRemoved;
    this.stats.framesWritten += s.framesWritten;
    this.stats.events += s.events;
    if (session !== this.session) return true;
    this.cursor = s.cursor;
    const latest = (statementsOf(this.log).latestSession.get() as number | null) ?? 0;
    if (session < latest && s.caughtUp) {
      this.session++;
      this.cursor = 1;
      return true;
    }
    return !s.caughtUp;
  }

  close(): void {
    this.stopped = true;
    this.current = undefined;
    clearInterval(this.timer);
  }
}
