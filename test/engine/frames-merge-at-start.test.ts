import { describe, expect, it } from 'vitest';
import { compactSession } from '../../engine/store/compaction.ts';
import { openReadableLog, openWritableLog, type ReadableLog } from '../../engine/store/log.ts';
import { storedSessions } from './helpers/stored-session.ts';

/**
 * EventLog.frames (what the replay service sends a rewinding component) finds the frame holding `from` in one
 * SQLite call and reads the first page from there in another: each its own WAL snapshot. A host's compactor
 * committing a merge between the two (the merged frame stored under the run's first key, before the frame found)
 * made the first page open past it: the frames handed out began thousands of seqs after `from`, and a joining
 * component rewinding through the replay service applied the rest with those events missing (round 19: a joined
 * risk component's state hash differed from the host's at the same seq).
 */
const { storedSession } = storedSessions('ordo-frames-merge-');

/** Makes `reader`'s next look-up of the frame holding a seq run `between` after it (a merge committed in that gap). */
function mergeAfterFrameStart(reader: ReadableLog, between: () => void): void {
  const r = reader as unknown as { frameStart(session: number, seq: number): number };
  const frameStart = r.frameStart.bind(reader);
  let done = false;
  r.frameStart = (session, seq) => {
    const at = frameStart(session, seq);
    if (!done) {
      done = true;
      between();
    }
    return at;
  };
}

describe('frames() while another connection compacts the same log', () => {
  it('starts with the frame holding `from` when a merge is committed between finding it and reading the first page', () => {
    // 8-event frames: seq 100 is in the frame 97-104, the middle of the first run the compactor merges (1-4096).
    const path = storedSession(20_000, [8]);
    const reader = openReadableLog(path);
    const writer = openWritableLog(path, { backgroundCheckpoint: false });
    try {
      let merged = { framesRemoved: 0 };
      mergeAfterFrameStart(reader, () => (merged = compactSession(writer, 1, 20_000)));
      const frames = [...reader.frames(1, 100, 6_000)];
      expect(merged.framesRemoved).toBeGreaterThan(100);
      // The first frame holds seq 100 (it may start before it), and the frames follow one another without a gap.
      expect(frames[0]!.firstSeq).toBeLessThanOrEqual(100);
      expect(frames[0]!.lastSeq).toBeGreaterThanOrEqual(100);
      for (let i = 1; i < frames.length; i++) expect(frames[i]!.firstSeq, `frame ${i}`).toBe(frames[i - 1]!.lastSeq + 1);
      expect(frames[frames.length - 1]!.lastSeq).toBeGreaterThanOrEqual(6_000);
    } finally {
      writer.close();
      reader.close();
    }
  });
});
