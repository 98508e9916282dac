import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { CODEC_VERSION, encodeFrame, storedTagVersion } from '../../engine/protocol/codec.ts';
import type { Sequenced } from '../../engine/protocol/events.ts';
import { OmsProjection } from '../../engine/oms/projection.ts';
import { openReadableLog, openWritableLog } from '../../engine/store/log.ts';
import { removeDir, tempDir } from './helpers/host.ts';

/*
 * A log as round 11's build wrote it (tag r12-base: frames of codec version 2 in 1- and 2-event frames, schema
 * 5; test/fixtures/log-r11-v2/make-fixture.mjs), with the events it holds. Today's build writes version 3
 * (decision 260): the old log must open, read and replay to the same events and state, verify clean, and take
 * version-3 frames after its version-2 ones.
 */
const FIXTURE = fileURLToPath(new URL('../fixtures/log-r11-v2/', import.meta.url));
const fixture = JSON.parse(readFileSync(join(FIXTURE, 'events.json'), 'utf8')) as { codecVersion: number; session: number; stored: number; events: Sequenced[] };

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});

function copy(): string {
  const dir = tempDir('ordo-r11log-');
  dirs.push(dir);
  for (const f of ['ordo.db', 'ordo.db.head']) copyFileSync(join(FIXTURE, f), join(dir, f));
  return join(dir, 'ordo.db');
}

const stateOf = (events: Iterable<Sequenced>) => {
  const p = new OmsProjection();
  for (const e of events) p.apply(e);
  return p.stateHash();
};

describe('a log written by round 11 (codec version 2)', () => {
  it('holds version-2 frames only', () => {
    expect(fixture.codecVersion).toBe(2);
    expect(CODEC_VERSION).toBe(3);
    expect(fixture.events.length).toBe(fixture.stored);
  });

  it('reads and replays to the same events and state, and verifies clean, read-only and writable', () => {
    const path = copy();
    const r = openReadableLog(path);
    try {
      expect([...r.events(1)]).toEqual(fixture.events);
      const replayed: Sequenced[] = [];
      r.replay(1, (e) => replayed.push(e));
      expect(replayed).toEqual(fixture.events);
      const p = new OmsProjection();
      r.replay(1, (e) => p.apply(e), 1, Number.MAX_SAFE_INTEGER, true);
      expect(p.stateHash()).toBe(stateOf(fixture.events));
      expect(r.verify()).toEqual([]);
    } finally {
      r.close();
    }
    const w = openWritableLog(path, { backgroundCheckpoint: false });
    try {
      expect([...w.events(1)]).toEqual(fixture.events);
      expect(w.verify()).toEqual([]);
    } finally {
      w.close();
    }
  });

  it('takes version-3 frames after its version-2 ones; the mixed log reads, replays and verifies as one', () => {
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
      // Old rows keep the wire form ('O', version 2); new ones the stored form (tag 0x80 | count << 2 | 3: version 3, decisions 269 and 275).
      const forms = new Set((w.db.prepare('SELECT body FROM frames').all() as { body: Buffer }[]).map((row) => (row.body[0] === 0x4f ? `O${row.body[1]}` : `S${storedTagVersion(row.body[0]!)}`)));
      expect([...forms].sort()).toEqual(['O2', 'S3']);
    } finally {
      w.close();
    }
    const all = [...fixture.events, ...more];
    const r = openReadableLog(path);
    try {
      expect([...r.events(1)]).toEqual(all);
      const p = new OmsProjection();
      r.replay(1, (e) => p.apply(e), 1, Number.MAX_SAFE_INTEGER, true);
      expect(p.stateHash()).toBe(stateOf(all));
      expect(r.verify()).toEqual([]);
    } finally {
      r.close();
    }
  });
});
