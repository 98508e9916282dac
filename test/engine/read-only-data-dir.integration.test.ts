import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureDataDir } from '../../engine/host/data-dir.ts';
import { openReadableLog, openWritableLog } from '../../engine/store/log.ts';

const mayMount = process.platform === 'linux' && process.getuid?.() === 0;

/**
 * Round 18, outside: a data dir on a file system mounted read-only (a backup disk, a snapshot). `ordo verify`,
 * `events`, `state` and `backup` said "the data dir … is not writable by this user (owner uid 0, mode 0700, this
 * user uid 0) … run Ordo as the folder's owner or make it writable" to the folder's owner, and `ordo host` said
 * "cannot use data dir …: EROFS" (or ENOENT for a new folder on it). Each names the read-only file system now.
 */
describe('a data dir on a read-only mount (a tmpfs remounted ro; needs root to mount, skipped otherwise)', () => {
  it.skipIf(!mayMount)('readers and the host name the read-only file system, not permissions', () => {
    const base = mkdtempSync(join(tmpdir(), 'ordo-rofs-'));
    const mnt = join(base, 'mnt');
    mkdirSync(mnt);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m,mode=0700', 'tmpfs', mnt], { stdio: 'ignore' });
    try {
      const dir = join(mnt, 'data');
      const paths = ensureDataDir(dir);
      openWritableLog(paths.db, { backgroundCheckpoint: false, checkpointThread: false }).close();
      execFileSync('mount', ['-o', 'remount,ro', mnt], { stdio: 'ignore' });

      expect(() => openReadableLog(paths.db)).toThrow(
        `the data dir ${dir} is on a read-only file system: SQLite creates ordo.db-shm beside the log even to read it; copy the data dir to a writable place (or mount it read-write) and use the copy`,
      );
      for (const d of [dir, join(mnt, 'new', 'data')]) {
        expect(() => ensureDataDir(d)).toThrow(`cannot use data dir ${d}: it is on a read-only file system; a host writes its log there (give it a writable --data-dir)`);
      }
    } finally {
      execFileSync('umount', ['-l', mnt], { stdio: 'ignore' });
      rmSync(base, { recursive: true, force: true });
    }
  });
});
