import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openWritableLog } from '../../engine/store/log.ts';

describe('an in-memory log', () => {
  it('takes a session and leaves no head file (or any file) in the working folder', () => {
    const stray = join(process.cwd(), ':memory:.head');
    const log = openWritableLog(':memory:');
    try {
      log.transaction(() => log.openSession(1, 1_000));
      expect(log.lastSeq(1)).toBe(0);
    } finally {
      log.close();
    }
    expect(existsSync(stray)).toBe(false);
    expect(existsSync(join(process.cwd(), ':memory:'))).toBe(false);
  });
});
