import { afterEach, describe, expect, it } from 'vitest';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StoreError } from '../../engine/store/errors.ts';
import { openWritableLog, type WritableLog } from '../../engine/store/log.ts';
import { removeDir, tempDir } from './helpers/backbone.ts';

const dirs: string[] = [];
const logs: WritableLog[] = [];
afterEach(() => {
  for (const log of logs.splice(0)) {
    try {
      log.close();
    } catch {
      // a log whose file was taken away may refuse its closing checkpoint: not what these tests look at
    }
  }
  dirs.splice(0).forEach(removeDir);
});

function freshLog(): { path: string; log: WritableLog } {
  const dir = tempDir('ordo-identity-');
  dirs.push(dir);
  const path = join(dir, 'ordo.db');
  const log = openWritableLog(path, { backgroundCheckpoint: false });
  logs.push(log);
  log.transaction(() => log.openSession(1, 1));
  return { path, log };
}

/** Commits one frame; returns the refusal's message, or undefined when the commit was taken. */
function commit(log: WritableLog, seq: number): string | undefined {
  try {
    log.transaction(() => log.appendFrame(1, seq, seq, new Uint8Array([seq & 0xff, 1, 2, 3])));
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(StoreError);
    return (e as Error).message;
  }
}

describe('the writable log refuses a file taken from under it at the very next commit (issue 11, decision 277)', () => {
  it.each([0, 1, 63, 64, 197])('removed after %i commits: the very next commit is refused', (before) => {
    const { path, log } = freshLog();
    for (let seq = 1; seq <= before; seq++) expect(commit(log, seq)).toBeUndefined();
    rmSync(path);
    expect(commit(log, before + 1)).toMatch(/^event log .*ordo\.db was removed under the running host; no further event is taken/);
    expect(commit(log, before + 2)).toMatch(/was removed under the running host/);
  });

  it.each([0, 1, 63, 135])('replaced (another file renamed over it) after %i commits: the very next commit is refused, and every one after', (before) => {
    const { path, log } = freshLog();
    for (let seq = 1; seq <= before; seq++) expect(commit(log, seq)).toBeUndefined();
    const other = join(path, '..', 'other.db');
    writeFileSync(other, 'not this log');
    renameSync(other, path);
    expect(commit(log, before + 1)).toMatch(/^event log .*ordo\.db was replaced under the running host; no further event is taken \(restart to use the new file\)$/);
    expect(commit(log, before + 2)).toMatch(/was replaced under the running host/);
  });
});
