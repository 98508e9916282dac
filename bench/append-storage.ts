/**
 * Storage-only append at equal sizes (issue 15's "≥ 10× a storage-only naive better-sqlite3 append"): the same
 * events, made before the clock starts, written once by Ordo's log writer as shipped (the generated codec into
 * frames of at most 4,096 events, WAL with the background checkpointer) and once the naive way (one JSON row per
 * event, SQLite's own auto-checkpoint), both at the same `synchronous` mode and **the same 10,000 events a
 * transaction** (Ordo's as three frames: 4,096 + 4,096 + 1,808), so both pay the same number of commits, and
 * at `--sync full` the same number of WAL fsyncs (until round 12 Ordo committed each 4,096-event frame alone:
 * 2.44 times the naive side's commits, which at full sync decided the ratio: 275 fsyncs against 100). Only the writing is timed: encoding is each side's own work and is in its figure; making
 * the events is in neither. Each side runs `runs` times into a fresh file, alternating, and the median is kept.
 *
 * This is the log's share of the sequencer's work, not the sequencer: the whole path (commands in over ZeroMQ,
 * the policy, publishing) is the `sequencer` scenario, reported beside it.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { encodeFrame } from '../engine/protocol/codec.ts';
import type { Sequenced } from '../engine/protocol/events.ts';
import { openWritableLog } from '../engine/store/log.ts';
import { orderSession } from './session.ts';
import { tempFolder } from './util.ts';

const FRAME_EVENTS = 4096;
/** Events a transaction, both sides. */
const BATCH = 10_000;

export interface StorageAppend {
  readonly events: number;
  readonly ordoEps: number;
  readonly naiveEps: number;
  readonly ordoRuns: readonly number[];
  readonly naiveRuns: readonly number[];
  readonly synchronous: 'normal' | 'full';
}

function ordoAppend(events: readonly Sequenced[], synchronous: 'normal' | 'full'): number {
  const folder = tempFolder('append-ordo');
  try {
    const log = openWritableLog(join(folder.dir, 'ordo.db'), { synchronous });
    try {
      log.transaction(() => log.openSession(1, events[0]!.ts));
      const t0 = performance.now();
      for (let from = 0; from < events.length; from += BATCH) {
        const to = Math.min(events.length, from + BATCH);
        const frames: { first: number; last: number; bytes: Uint8Array }[] = [];
        for (let i = from; i < to; i += FRAME_EVENTS) {
          const end = Math.min(to, i + FRAME_EVENTS);
          frames.push({ first: events[i]!.seq, last: events[end - 1]!.seq, bytes: encodeFrame(1, events, i, end) });
        }
        log.transaction(() => {
          for (const f of frames) log.appendFrame(1, f.first, f.last, f.bytes);
        });
      }
      return events.length / ((performance.now() - t0) / 1000);
    } finally {
      log.close();
    }
  } finally {
    folder.dispose();
  }
}

function naiveAppend(events: readonly Sequenced[], synchronous: 'normal' | 'full'): number {
  const folder = tempFolder('append-naive');
  try {
    const sql = new Database(join(folder.dir, 'naive.db'));
    try {
      sql.pragma('journal_mode = WAL');
      sql.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
      sql.exec('CREATE TABLE events (seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL, src TEXT NOT NULL, cseq INTEGER NOT NULL, type TEXT NOT NULL, body TEXT NOT NULL) STRICT');
      const insert = sql.prepare('INSERT INTO events (seq, ts, src, cseq, type, body) VALUES (?, ?, ?, ?, ?, ?)');
      const write = sql.transaction((from: number, to: number) => {
        for (let i = from; i < to; i++) {
          const e = events[i]!;
          insert.run(e.seq, e.ts, e.src, e.cseq, e.event.type, JSON.stringify(e.event));
        }
      });
      const t0 = performance.now();
      for (let i = 0; i < events.length; i += BATCH) write(i, Math.min(events.length, i + BATCH));
      return events.length / ((performance.now() - t0) / 1000);
    } finally {
      sql.close();
    }
  } finally {
    folder.dispose();
  }
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Appends about `orderEvents` events both ways, `runs` times each (alternating), at `synchronous`. */
export function storageAppend(orderEvents: number, runs: number, synchronous: 'normal' | 'full' = 'normal'): StorageAppend {
  const events = [...orderSession(orderEvents)];
  const ordoRuns: number[] = [];
  const naiveRuns: number[] = [];
  for (let r = 0; r < runs; r++) {
    naiveRuns.push(naiveAppend(events, synchronous));
    ordoRuns.push(ordoAppend(events, synchronous));
  }
  return { events: events.length, ordoEps: median(ordoRuns), naiveEps: median(naiveRuns), ordoRuns, naiveRuns, synchronous };
}
