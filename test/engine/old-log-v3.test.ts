import Database from 'better-sqlite3';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeFrame, storedTagVersion } from '../../engine/protocol/codec.ts';
import type { Sequenced } from '../../engine/protocol/events.ts';
import { OmsProjection } from '../../engine/oms/projection.ts';
import { openReadableLog, openWritableLog } from '../../engine/store/log.ts';
import { SCHEMA_VERSION } from '../../engine/store/migrations/index.ts';
import { compactSession } from '../../engine/store/compaction.ts';
import { removeDir, tempDir } from './helpers/host.ts';

/*
 * A log as round 12's build wrote it (tag r13-base: codec version 3 frames in the wire form, schema 5;
 * test/fixtures/log-r12-v3/make-fixture.mjs). Today's build stores frames without the head fields their row
 * holds (schema 6, decision 269): the old log must open, read and replay to the same events and state,
 * verify clean, take stored-form frames after its own, and compact its old rows into stored-form ones.
 */
const FIXTURE = fileURLToPath(new URL('../fixtures/log-r12-v3/', import.meta.url));
const fixture = JSON.parse(readFileSync(join(FIXTURE, 'events.json'), 'utf8')) as { codecVersion: number; session: number; stored: number; events: Sequenced[] };

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});

function copy(): string {
  const dir = tempDir('ordo-r12log-');
  dirs.push(dir);
  for (const f of ['ordo.db', 'ordo.db.head']) copyFileSync(join(FIXTURE, f), join(dir, f));
  return join(dir, 'ordo.db');
}

const stateOf = (events: Iterable<Sequenced>) => {
  const p = new OmsProjection();
  for (const e of events) p.apply(e);
  return p.stateHash();
};

/** The first bytes of every frame body: 'O' and the version (wire form) or S and the version (stored form). */
function forms(path: string): string[] {
  const db = new Database(path, { readonly: true });
  try {
    const bodies = db.prepare('SELECT body FROM frames').pluck().all() as Buffer[];
    return [...new Set(bodies.map((b) => (b[0] === 0x4f ? `O${b[1]}` : `S${storedTagVersion(b[0]!)}`)))].sort();
  } finally {
    db.close();
  }
}

function readsAs(path: string, events: Sequenced[]): void {
  const r = openReadableLog(path);
  try {
    expect([...r.events(1)]).toEqual(events);
    const replayed: Sequenced[] = [];
    r.replay(1, (e) => replayed.push(e));
    expect(replayed).toEqual(events);
    const p = new OmsProjection();
    r.replay(1, (e) => p.apply(e), 1, Number.MAX_SAFE_INTEGER, true);
    expect(p.stateHash()).toBe(stateOf(events));
    expect(r.verify()).toEqual([]);
  } finally {
    r.close();
  }
}

describe('a log written by round 12 (codec 3, schema 5, wire-form rows)', () => {
  it('holds wire-form version-3 frames at schema 5', () => {
    expect(fixture.codecVersion).toBe(3);
    expect(fixture.events.length).toBe(fixture.stored);
    const path = copy();
    expect(forms(path)).toEqual(['O3']);
    const db = new Database(path, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(5);
    db.close();
  });

  it('reads and replays to the same events and state and verifies clean, read-only and after the writer migrated it', () => {
    const path = copy();
    readsAs(path, fixture.events);
    const w = openWritableLog(path, { backgroundCheckpoint: false });
    try {
      expect(w.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      expect(SCHEMA_VERSION).toBe(7);
      expect([...w.events(1)]).toEqual(fixture.events);
    } finally {
      w.close();
    }
    // The migration converts nothing: the old rows are as they were.
    expect(forms(path)).toEqual(['O3']);
    readsAs(path, fixture.events);
  });

  it('takes stored-form frames after its own; the mixed log reads, replays and verifies as one', () => {
    const path = copy();
    const last = fixture.events.at(-1)!;
    const more: Sequenced[] = [1, 2, 3].map((i) => ({
      seq: last.seq + i,
      ts: last.ts + i * 10,
      src: 'gateway-1',
      cseq: 100_000 + i,
      event: { type: 'OrderExecuted', orderId: i, execId: 5_000_000 + i, fillQty: 1, fillPrice: 100.25 },
    }));
    const w = openWritableLog(path, { backgroundCheckpoint: false });
    try {
      w.transaction(() => {
        w.appendFrame(1, more[0]!.seq, more[0]!.seq, encodeFrame(1, more, 0, 1));
        w.appendFrame(1, more[1]!.seq, more[2]!.seq, encodeFrame(1, more, 1, 3));
      });
    } finally {
      w.close();
    }
    expect(forms(path)).toEqual(['O3', 'S3']);
    readsAs(path, [...fixture.events, ...more]);
  });

  it('compacts its wire-form rows into stored-form frames that replay the same', () => {
    const path = copy();
    const w = openWritableLog(path, { backgroundCheckpoint: false });
    try {
      const result = compactSession(w, 1, last(fixture.events), true);
      expect(result.framesRemoved).toBeGreaterThan(1);
    } finally {
      w.close();
    }
    expect(forms(path)).toEqual(['S3']);
    readsAs(path, fixture.events);
  });
});

const last = (events: Sequenced[]) => events.at(-1)!.seq;
