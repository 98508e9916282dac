import { describe, expect, it } from 'vitest';
import { compactSession } from '../../engine/store/compaction.ts';
import Database from 'better-sqlite3';
import { frameKey } from '../../engine/store/frame-key.ts';
import { openReadableLog, openWritableLog } from '../../engine/store/log.ts';
import { storedSessions } from './helpers/stored-session.ts';

// A host's compactor merges small frames behind the head while other connections replay the same log (a checkpoint
// round, a state-at reader, a FIX acceptor's start): replay() reads a page of frames per SQLite call, so a merge
// committed between two pages must not show as a seq gap. Round 14 saw a host's checkpoint round fail with
// "seq gap: expected 7201, found 8193" on a healthy log this way (docs/notes/2026-12-01-r14/catchup.md).
const { storedSession } = storedSessions('ordo-replay-compacting-');

describe('replay while another connection compacts the same log', () => {
  it('gives every event once, in order, when a merge is committed between two of its pages', () => {
    const path = storedSession(20_000, [8]);
    const reader = openReadableLog(path);
    const writer = openWritableLog(path, { backgroundCheckpoint: false });
    try {
      const seqs: number[] = [];
      let merged = { framesRemoved: 0 };
      reader.replay(1, (e) => {
        // In the first page (the reader's first SQLite call has returned): every frame merged, on the writer's connection.
        if (e.seq === 1) merged = compactSession(writer, 1, 20_000);
        seqs.push(e.seq);
      });
      expect(merged.framesRemoved).toBeGreaterThan(100);
      expect(seqs.length).toBeGreaterThan(19_000);
      expect(seqs.every((s, i) => s === i + 1)).toBe(true);
      // And the log as the writer left it replays whole too.
      const after: number[] = [];
      reader.replay(1, (e) => after.push(e.seq));
      expect(after).toEqual(seqs);
    } finally {
      writer.close();
      reader.close();
    }
  });

  it('still reports a frame missing where a page begins as a seq gap (the read goes on from the frame before it once, then names the gap)', () => {
    // 8-event frames: the first page is 8 frames (frame-pages.ts), so the second page opens with the frame at seq 65.
    const path = storedSession(4_000, [8]);
    const db = new Database(path);
    try {
      db.prepare('DELETE FROM frames WHERE key = ?').run(frameKey(1, 65));
    } finally {
      db.close();
    }
    const reader = openReadableLog(path);
    try {
      const seqs: number[] = [];
      expect(() => reader.replay(1, (e) => void seqs.push(e.seq))).toThrow('seq gap: expected 65, found 73');
      expect(seqs).toEqual(Array.from({ length: 64 }, (_, i) => i + 1));
    } finally {
      reader.close();
    }
  });
});
