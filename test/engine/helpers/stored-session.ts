import { join } from 'node:path';
import { afterEach } from 'vitest';
import { orderSession, storeSession } from '../../../bench/session.ts';
import type { Sequenced } from '../../../engine/protocol/events.ts';
import { openReadableLog, openWritableLog } from '../../../engine/store/log.ts';
import { removeDir, tempDir } from './backbone.ts';

/**
 * Log files for the replay tests: fresh paths in temp folders (removed after each test), a session of the
 * bench's order mix stored in frames of given sizes, and the one-thread replay (`log.replay`) the other read
 * paths are held to. Call once per test file.
 */
export function storedSessions(prefix: string) {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach(removeDir));
  const freshPath = (): string => {
    const dir = tempDir(prefix);
    dirs.push(dir);
    return join(dir, 'ordo.db');
  };
  /** A stored session of about `events` events in frames of `frameSizes` (repeated; 4,096-event frames if none). */
  const storedSession = (events: number, frameSizes?: readonly number[]): string => {
    const path = freshPath();
    const log = openWritableLog(path, { backgroundCheckpoint: false });
    storeSession(log, orderSession(events), undefined, frameSizes);
    log.close();
    return path;
  };
  /** Session 1's events (from..to) as `log.replay` gives them. */
  const replayed = (path: string, from?: number, to?: number): Sequenced[] => {
    const log = openReadableLog(path);
    try {
      const out: Sequenced[] = [];
      log.replay(1, (e) => out.push(e), from, to);
      return out;
    } finally {
      log.close();
    }
  };
  return { freshPath, storedSession, replayed };
}
