/**
 * Storage-only append at equal sizes (issue 15's "≥ 10× a storage-only naive better-sqlite3 append"): the same
 * events, made before the clock starts, written once by Ordo's log writer as shipped (the generated codec into
 * 4,096-event frames, one transaction per frame, WAL with the background checkpointer) and once the naive way
 * (one JSON row per event, 10,000-row transactions, SQLite's own auto-checkpoint), both at the same
 * `synchronous` mode. Only the writing is timed: encoding is each side's own work and is in its figure; making
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
const NAIVE_BATCH = 10_000;

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
      for (let i = 0; i < events.length; i += FRAME_EVENTS) {
        const end = Math.min(events.length, i + FRAME_EVENTS);
        const bytes = encodeFrame(1, events, i, end);
        log.transaction(() => log.appendFrame(1, events[i]!.seq, events[end - 1]!.seq, bytes));
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
      for (let i = 0; i < events.length; i += NAIVE_BATCH) write(i, Math.min(events.length, i + NAIVE_BATCH));
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
