import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { UserError } from '../errors.ts';
import { rebuildSnapshot } from '../host/log-checks.ts';
import { readFrameInfo } from '../protocol/codec.ts';
import { contextsOf } from '../store/session-context.ts';
import { crcMatches, wireFrame } from '../store/stored-frame.ts';
import { SEQ_SPAN } from '../store/frame-key.ts';
import { openWritableLog } from '../store/log.ts';

interface SessionInfo {
  id: number;
  opened_ts: number;
  closed_ts: number | null;
  state: 'open' | 'closed';
}

export interface SalvageResult {
  readonly frames: number;
  /** Frames in the damaged file, when it can still count them. */
  readonly total: number | undefined;
  readonly end: { session: number; seq: number } | undefined;
  readonly stoppedAt: string | undefined;
  /** Commands stored between sessions (decision 130) copied for the closed sessions kept. */
  readonly deferred: number;
}

/**
 * Copies the longest sound beginning of a page-damaged log into a new file:
 * frames in log order (rowid order: the log is append-only), each checked
 * (checksum, header, seq continuity), until the first one that cannot be
 * read or does not fit. Sessions wholly before that point keep their close
 * and snapshot (rebuilt from their events if the stored one is unreadable);
 * the session it stops in stays open, as after `--truncate-after-corruption`.
 * What SQLite's `.recover` would add is rows after the damage, which a
 * gap-free log cannot use anyway.
 */
export function salvageLog(from: string, to: string): SalvageResult {
  if (existsSync(to)) throw new UserError(`salvage: ${to} already exists; give a new file name`);
  const src = new Database(from, { readonly: true, fileMustExist: true });
  const out = openWritableLog(to, { backgroundCheckpoint: false });
  try {
    const sessions = new Map<number, SessionInfo>();
    try {
      for (const s of src.prepare('SELECT id, opened_ts, closed_ts, state FROM sessions ORDER BY id').all() as SessionInfo[]) sessions.set(s.id, s);
    } catch {
      // The sessions table is damaged too: sessions are opened as their frames show up, closes are lost.
    }
    let total: number | undefined;
    try {
      total = src.prepare('SELECT COUNT(*) FROM frames').pluck().get() as number;
    } catch {
      total = undefined;
    }
    let frames = 0;
    let session = 0;
    let next = 1;
    let stoppedAt: string | undefined;
    const finished: number[] = [];
    let batch: { session: number; first: number; last: number; body: Buffer; open: boolean }[] = [];
    const flush = () => {
      const b = batch;
      batch = [];
      out.transaction(() => {
        for (const f of b) {
          if (f.open) out.openSession(f.session, sessions.get(f.session)?.opened_ts ?? 0);
          out.appendFrame(f.session, f.first, f.last, f.body);
        }
      });
    };
    try {
      const rows = src.prepare(framesInOrder(src)).raw(true).iterate() as IterableIterator<[number, number, number, number, Buffer]>;
      for (const [s, first, last, crc, stored] of rows) {
        const where = `session ${s} seq ${first}-${last}`;
        // A stored-form frame (schema 6) gets its head from its row; its CRC covers it and the key (decision 278).
        if (!crcMatches(s, first, stored, crc)) {
          stoppedAt = `${where}: checksum mismatch`;
          break;
        }
        let body: Buffer;
        try {
          // A small frame's stored form refers to its session's context (decision 278).
          body = Buffer.from(wireFrame(s, first, stored, 0, stored.length, contextsOf(src).of(s)));
        } catch (err) {
          stoppedAt = `${where}: ${(err as Error).message}`;
          break;
        }
        let info;
        try {
          info = readFrameInfo(body);
        } catch (err) {
          stoppedAt = `${where}: ${(err as Error).message}`;
          break;
        }
        if (info.session !== s || info.firstSeq !== first || info.firstSeq + info.count - 1 !== last) {
          stoppedAt = `${where}: frame header does not match its row`;
          break;
        }
        const open = s !== session;
        if (open ? !(s === session + 1 || session === 0) || first !== 1 : first !== next) {
          stoppedAt = `${where}: out of line (expected session ${session} seq ${next})`;
          break;
        }
        if (open && session !== 0) finished.push(session);
        session = s;
        next = last + 1;
        batch.push({ session: s, first, last, body, open });
        frames++;
        if (batch.length >= 1024) flush();
      }
    } catch (err) {
      stoppedAt = `after session ${session} seq ${next - 1}: ${(err as Error).message}`;
    }
    flush();
    // The last session read to its end is finished too, unless reading stopped inside it.
    if (stoppedAt === undefined && session !== 0) finished.push(session);
    for (const id of finished) {
      const s = sessions.get(id);
      if (s?.state !== 'closed') continue;
      let snapshot: { seq: number; body: unknown } | undefined;
      try {
        const row = src.prepare('SELECT seq, crc, body FROM snapshots WHERE session = ?').get(id) as { seq: number; crc: number; body: string } | undefined;
        if (row && crc32(row.body) === row.crc) snapshot = { seq: row.seq, body: JSON.parse(row.body) };
      } catch {
        snapshot = undefined;
      }
      snapshot ??= rebuildSnapshot(out, id);
      const closedTs = s.closed_ts ?? 0;
      out.transaction(() => out.closeSession(id, closedTs, snapshot));
    }
    return { frames, total, end: out.end(), stoppedAt, deferred: copyDeferred(src, out, finished, sessions) };
  } finally {
    out.close();
    src.close();
  }
}

/**
 * Cancels stored between sessions (decision 130) belong to the closed session
 * they follow: copied for each closed session the salvage kept, so the next
 * open still applies them. Unreadable or absent (an older log): none, and the
 * orders re-enter at the open, where they can be cancelled.
 */
function copyDeferred(src: Database.Database, out: ReturnType<typeof openWritableLog>, finished: readonly number[], sessions: ReadonlyMap<number, SessionInfo>): number {
  const kept = new Set(finished.filter((id) => sessions.get(id)?.state === 'closed'));
  let rows: { session: number; key: string; src: string; taken_ts: number; body: string }[];
  try {
    rows = src.prepare('SELECT session, key, src, taken_ts, body FROM deferred_commands ORDER BY rowid').all() as typeof rows;
  } catch {
    return 0;
  }
  let copied = 0;
  out.transaction(() => {
    for (const r of rows) {
      if (!kept.has(r.session)) continue;
      let body;
      try {
        body = JSON.parse(r.body) as Parameters<typeof out.deferred.add>[0]['body'];
      } catch {
        continue;
      }
      if (out.deferred.add({ session: r.session, key: r.key, src: r.src, ts: r.taken_ts, body })) copied++;
    }
  });
  return copied;
}

/**
 * The damaged file's frames as (session, first seq, last seq, crc, body), in
 * log order, in either layout: keyed by (session, first seq) in one integer
 * (schema version 4, frame-key.ts) or the version-1..3 rows (rowid order).
 */
function framesInOrder(src: Database.Database): string {
  let keyed = true;
  try {
    keyed = (src.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('frames') as string[]).includes('key');
  } catch {
    // The schema is unreadable: try the current layout (the query fails with its own message if it is not).
  }
  return keyed
    ? `SELECT key / ${SEQ_SPAN}, key % ${SEQ_SPAN}, key % ${SEQ_SPAN} + n - 1, crc, body FROM frames ORDER BY key`
    : 'SELECT session, first_seq, last_seq, crc, body FROM frames ORDER BY id';
}
