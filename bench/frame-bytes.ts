/**
 * Where a stored frame's bytes go, and what one commit writes to the WAL (decision 254). Two measurements, both
 * exact counts (not timings), so they are valid on a loaded machine:
 *
 *   - bytes: a session of about N events stored in frames of the given sizes (cycled, e.g. `1,2` = 1.5 events a
 *     frame, as a live host at 1 k orders/s), the WAL checkpointed into the file; the file per event, and per SQLite
 *     b-tree (the `dbstat` virtual table) beside the frame bodies themselves.
 *   - wal: one frame per commit (as the sequencer commits at ordinary rates) with no checkpoint in between, after
 *     20,000 warm-up frames; the WAL's pages and bytes per commit, and the writer's CPU per commit.
 *
 *   node dist/bench/frame-bytes.js [events] [sizes]      (defaults: 200000 1,2)
 *
 * `sizes` may also be `@file.json:key`: the frame sizes a live host committed, as bench/live-frame-sizes.ts
 * saved them (key: the order rate), so two builds are measured over exactly the same frames.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { encodeFrame } from '../engine/protocol/codec.ts';
import type { Sequenced } from '../engine/protocol/events.ts';
import { openWritableLog } from '../engine/store/log.ts';
import { orderSession, storeSession } from './session.ts';
import { runMain, tempFolder } from './util.ts';

const WAL_FRAME_HEADER = 24;
const WAL_HEADER = 32;

function bytes(events: number, sizes: readonly number[]): Record<string, unknown> {
  const folder = tempFolder('frame-bytes');
  try {
    const path = join(folder.dir, 'ordo.db');
    const log = openWritableLog(path, { backgroundCheckpoint: false });
    const stored = storeSession(log, orderSession(events), undefined, sizes);
    log.db.pragma('wal_checkpoint(TRUNCATE)');
    const pageSize = log.db.pragma('page_size', { simple: true }) as number;
    const trees = log.db.prepare(`SELECT name, count(*) AS pages, sum(ncell) AS cells FROM dbstat GROUP BY name HAVING sum(ncell) > 0 OR name LIKE 'frames%'`).all() as {
      name: string;
      pages: number;
      cells: number;
    }[];
    const body = log.db.prepare('SELECT count(*) AS frames, sum(length(body)) AS bytes FROM frames').get() as { frames: number; bytes: number };
    log.close();
    const per = (b: number) => Math.round((b / stored) * 100) / 100;
    return {
      events: stored,
      frames: body.frames,
      fileBytesPerEvent: per(statSync(path).size),
      frameBodyBytesPerEvent: per(body.bytes),
      trees: Object.fromEntries(trees.map((t) => [t.name, { pages: t.pages, cells: t.cells, bytesPerEvent: per(t.pages * pageSize) }])),
    };
  } finally {
    folder.dispose();
  }
}

function wal(commits: number, sizes: readonly number[]): Record<string, unknown> {
  const folder = tempFolder('frame-wal');
  try {
    const path = join(folder.dir, 'ordo.db');
    const log = openWritableLog(path, { backgroundCheckpoint: false });
    log.db.pragma('wal_autocheckpoint = 0');
    const warm = 20_000;
    const it = orderSession((warm + commits) * Math.max(...sizes) + 10_000)[Symbol.iterator]();
    let k = 0;
    const next = (): Sequenced[] => {
      const n = sizes[k++ % sizes.length]!;
      const out: Sequenced[] = [];
      for (let i = 0; i < n; i++) out.push(it.next().value as Sequenced);
      return out;
    };
    const commit = (ev: Sequenced[]) => {
      const b = encodeFrame(1, ev);
      log.transaction(() => log.appendFrame(1, ev[0]!.seq, ev[ev.length - 1]!.seq, b));
      return b.length;
    };
    log.transaction(() => log.openSession(1, 1));
    for (let i = 0; i < warm; i++) commit(next());
    log.db.pragma('wal_checkpoint(TRUNCATE)');
    let body = 0;
    const c0 = process.cpuUsage();
    for (let i = 0; i < commits; i++) body += commit(next());
    const cpu = process.cpuUsage(c0);
    const walBytes = statSync(`${path}-wal`).size;
    const pageSize = log.db.pragma('page_size', { simple: true }) as number;
    log.close();
    return {
      commits,
      frameBodyBytesPerCommit: Math.round((body / commits) * 10) / 10,
      walBytesPerCommit: Math.round((walBytes / commits) * 10) / 10,
      walPagesPerCommit: Math.round(((walBytes - WAL_HEADER) / (pageSize + WAL_FRAME_HEADER) / commits) * 1000) / 1000,
      cpuUsPerCommit: Math.round(((cpu.user + cpu.system) / commits) * 10) / 10,
    };
  } finally {
    folder.dispose();
  }
}

/** `file.json:key`: the list under `key` in a file bench/live-frame-sizes.ts wrote. */
function savedSizes(spec: string): number[] {
  const at = spec.lastIndexOf(':');
  const saved = JSON.parse(readFileSync(spec.slice(0, at), 'utf8')) as Record<string, number[] | undefined>;
  const list = saved[spec.slice(at + 1)];
  if (!Array.isArray(list)) throw new Error(`frame-bytes: no frame sizes under ${spec.slice(at + 1)} in ${spec.slice(0, at)}`);
  return list;
}

runMain(async () => {
  const events = Number(process.argv[2] ?? 200_000);
  const arg = process.argv[3] ?? '1,2';
  const sizes = arg.startsWith('@') ? savedSizes(arg.slice(1)) : arg.split(',').map(Number);
  if (!Number.isInteger(events) || events <= 0 || sizes.length === 0 || sizes.some((s) => !Number.isInteger(s) || s <= 0)) throw new Error('usage: frame-bytes [events] [sizes, e.g. 1,2, or @file.json:key]');
  const shown = arg.startsWith('@') ? { file: arg, frames: sizes.length, meanEvents: Math.round((sizes.reduce((a, b) => a + b, 0) / sizes.length) * 100) / 100 } : sizes;
  process.stdout.write(JSON.stringify({ sizes: shown, bytes: bytes(events, sizes), wal: wal(10_000, sizes) }) + '\n');
  await Promise.resolve();
});
