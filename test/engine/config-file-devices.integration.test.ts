import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWritableLog } from '../../engine/store/log.ts';
import { readConfigText } from '../../engine/text-file.ts';
import { runOrdo } from './helpers/cli.ts';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'ordo-config-file-'));
  openWritableLog(join(root, 'ordo.db'), { backgroundCheckpoint: false, checkpointThread: false }).close();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/**
 * Round 18, outside: `ordo replay --reference /dev/zero` (or `--limits /dev/urandom`, or `ordo host --reference` of
 * the same) read the device whole: the process grew until its time limit and never answered. A configuration file
 * is a file: a device is refused in one line, and so is one larger than 64 MiB.
 */
describe('configuration files that are not files', () => {
  it.each([
    ['--reference', '/dev/zero'],
    ['--limits', '/dev/urandom'],
  ])('ordo replay %s %s: one line naming the file and why, exit 1', async (option, path) => {
    const r = await runOrdo(['replay', '--data-dir', root, '--component', 'risk', option, path], 20_000);
    expect(r.stderr).toBe(`ordo: ${path}: cannot read file (a character device, not a file)\n`);
    expect(r.code).toBe(1);
  });

  it('readConfigText refuses a directory and a file over its limit, and reads a file within it', () => {
    expect(() => readConfigText(root)).toThrow('EISDIR');
    const big = join(root, 'big.json');
    writeFileSync(big, JSON.stringify({ pad: 'x'.repeat(3 * 1024 * 1024) }));
    expect(() => readConfigText(big, 2 * 1024 * 1024)).toThrow('4 MiB, more than the 2 MiB a configuration file may be');
    expect(readConfigText(big).length).toBe(3 * 1024 * 1024 + 10);
    expect(() => readConfigText(join(root, 'none.json'))).toThrow('ENOENT');
  });
});
