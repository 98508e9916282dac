import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ReplayReader, type ReplayHeader } from '../../engine/bus/replay.ts';
import { compactSession } from '../../engine/store/compaction.ts';
import { SEQ_SPAN } from '../../engine/store/frame-key.ts';
import { openReadableLog, openWritableLog, type ReadableLog } from '../../engine/store/log.ts';
import { contextsOf } from '../../engine/store/session-context.ts';
import { wireFrame } from '../../engine/store/stored-frame.ts';
import { flipFrameByte, storedSessions } from './helpers/stored-session.ts';

/**
 * Decision 286: the replay service's reader takes a page of frames per SQLite call and builds the page's wire
 * forms into one Buffer. What a joining component receives must not change by a byte: each answer is compared,
 * part by part, with one made the plain way (every row read alone, its wire form built alone, the page limits
 * applied after each frame taken), on a log of a live host's small frames (stored forms referring to the
 * session's context) behind a compacted stretch of big frames.
 */

const { storedSession } = storedSessions('ordo-replay-pages-');
const readers: ReplayReader[] = [];
afterEach(() => readers.splice(0).forEach((r) => r.close()));

const PAGE_FRAMES = 2048;
const PAGE_BYTES = 512 << 10;

interface Row {
  first: number;
  last: number;
  wire: Buffer;
}

/** Every frame of session 1 as its own row read gives it, in its wire form. */
function rowsOf(path: string): Row[] {
  const db = new Database(path, { readonly: true });
  try {
    const ctx = contextsOf(db).of(1);
    const rows = db.prepare('SELECT key, n, body FROM frames WHERE key >= ? AND key < ? ORDER BY key').raw(true).all(SEQ_SPAN, 2 * SEQ_SPAN) as [number, number, Buffer][];
    return rows.map(([key, n, body]) => {
      const first = key - SEQ_SPAN;
      return { first, last: first + n - 1, wire: Buffer.from(wireFrame(1, first, body, 0, body.length, ctx)) };
    });
  } finally {
    db.close();
  }
}

/** The answer the plain way: the frames overlapping [from, to] from the one holding `from`, a page at most. */
function expected(rows: readonly Row[], headSeq: number, req: { id: number; from: number; to?: number; maxFrames?: number }): Buffer[] {
  const to = Math.min(req.to ?? Number.MAX_SAFE_INTEGER, headSeq);
  const max = Math.min(req.maxFrames ?? PAGE_FRAMES, PAGE_FRAMES);
  const parts: Buffer[] = [];
  let bytes = 0;
  let complete = true;
  if (req.from <= to) {
    for (const r of rows) {
      if (r.last < req.from) continue;
      if (r.first > to) break;
      parts.push(r.wire);
      bytes += r.wire.length;
      if (r.last >= to) break;
      if (parts.length >= max || bytes >= PAGE_BYTES) {
        complete = false;
        break;
      }
    }
  }
  const header: ReplayHeader = { id: req.id, session: 1, headSeq, latestSession: 1, complete };
  return [Buffer.from(JSON.stringify(header)), ...parts];
}

async function ask(reader: ReplayReader, req: object): Promise<Buffer[]> {
  return reader.answer(Buffer.from(JSON.stringify(req)));
}

function reader(log: ReadableLog): ReplayReader {
  const r = new ReplayReader(log);
  readers.push(r);
  return r;
}

describe('the replay service reader, a page of frames per SQLite call', () => {
  it('answers byte for byte as frames read one row at a time: whole rewinds, cut ranges, small pages', async () => {
    const path = storedSession(60_000, [1, 2, 1, 3, 1, 1, 31, 2, 9, 1]);
    // The first 20,000 events compacted (big frames), the rest as a live host writes them.
    const w = openWritableLog(path, { backgroundCheckpoint: false });
    try {
      compactSession(w, 1, 20_000);
    } finally {
      w.close();
    }
    const rows = rowsOf(path);
    expect(rows.some((r) => r.last - r.first + 1 >= 1024)).toBe(true);
    expect(rows.filter((r) => r.last === r.first).length).toBeGreaterThan(1000);
    const headSeq = rows[rows.length - 1]!.last;
    const r = reader(openReadableLog(path));
    const requests = [
      { id: 1, from: 1 },
      { id: 2, from: 19_990, to: 20_020 },
      { id: 3, from: 25_001, maxFrames: 300 },
      { id: 4, from: 25_002, to: 25_002 },
      { id: 5, from: 30_000, maxFrames: 1 },
      { id: 6, from: headSeq - 3 },
      { id: 7, from: headSeq + 1 },
      { id: 8, from: 40_000, to: 39_000 },
    ];
    for (const req of requests) {
      const got = await ask(r, { ...req, session: 1 });
      const want = expected(rows, headSeq, req);
      expect(got.length, JSON.stringify(req)).toBe(want.length);
      for (let i = 0; i < got.length; i++) expect(got[i]!.equals(want[i]!), `${JSON.stringify(req)} part ${i}`).toBe(true);
    }
    // A whole rewind page by page, as a joining component asks: every frame once, in order, byte for byte.
    const sent: Buffer[] = [];
    for (let from = 1, id = 100; ; id++) {
      const [head, ...frames] = await ask(r, { id, session: 1, from });
      const header = JSON.parse(head!.toString()) as ReplayHeader;
      expect(header.error).toBeUndefined();
      sent.push(...frames);
      if (header.complete) break;
      from = rows.find((x) => x.wire.equals(frames[frames.length - 1]!))!.last + 1;
    }
    expect(sent.length).toBe(rows.length);
    expect(sent.every((b, i) => b.equals(rows[i]!.wire))).toBe(true);
  });

  it('hands out the frames before a damaged one, then its checksum error, as row by row', async () => {
    const path = storedSession(5_000, [1, 2, 1]);
    const rows = rowsOf(path);
    const bad = rows.findIndex((x) => x.first <= 2_001 && x.last >= 2_001);
    flipFrameByte(path, 2_001);
    const r = reader(openReadableLog(path));
    const [head, ...frames] = await ask(r, { id: 1, session: 1, from: 1 });
    const header = JSON.parse(head!.toString()) as ReplayHeader;
    expect(header.error).toMatch(/checksum mismatch/);
    expect(frames.length).toBe(bad);
    expect(frames.every((b, i) => b.equals(rows[i]!.wire))).toBe(true);
  });
});
