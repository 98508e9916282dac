import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { run } from '../../engine/cli/main.ts';
import { openWritableLog } from '../../engine/store/log.ts';

afterEach(() => vi.restoreAllMocks());

/** Runs the CLI in this process and returns its exit code and what it wrote to stderr. */
async function ordo(argv: string[]): Promise<{ code: number; stderr: string }> {
  const lines: string[] = [];
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void lines.push(a.map(String).join(' ')));
  const code = await run(argv);
  return { code, stderr: lines.join('\n') };
}

/**
 * Round 18, outside: `ordo admin` looked its ACTION up in a plain object, so `ordo admin __proto__ x` ended in
 * "ordo: unexpected error: make is not a function" (exit 1) and `ordo admin constructor x` went on to ask the host
 * for `/api/undefined` (Object's constructor taken as the action). A word that is an Object member is an unknown
 * action like any other: the usage line, exit 2, nothing sent.
 */
describe('CLI words that are Object members are unknown words', () => {
  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])("ordo admin %s x: the usage line naming the actions, exit 2", async (word) => {
    // Port 1 on loopback: nothing listens, so a request that went out would say "cannot reach the host".
    const { code, stderr } = await ordo(['admin', word, 'x', '--url', 'http://127.0.0.1:1', '--token', 't']);
    expect(stderr).toBe(`ordo: admin: ACTION must be one of restart, standby, activate, deactivate, shutdown, got '${word}' (see 'ordo help')`);
    expect(code).toBe(2);
  });

  it.each(['__proto__', 'constructor', 'valueOf'])("ordo session %s: the usage line, exit 2", async (word) => {
    const { code, stderr } = await ordo(['session', word, '--data-dir', '/nonexistent']);
    expect(stderr).toBe(`ordo: session: say what to do: roll, close or open (got '${word}') (see 'ordo help')`);
    expect(code).toBe(2);
  });

  it.each(['__proto__', 'constructor', 'toString'])("ordo %s: unknown command, exit 2 (was 'unexpected error: load is not a function')", async (word) => {
    const { code, stderr } = await ordo([word]);
    expect(stderr).toBe(`ordo: unknown command '${word}' (see 'ordo help')`);
    expect(code).toBe(2);
  });

  it("ordo replay --component constructor: the components it replays (it printed Object's source as the reason)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ordo-words-'));
    try {
      openWritableLog(join(dir, 'ordo.db'), { backgroundCheckpoint: false, checkpointThread: false }).close();
      const { code, stderr } = await ordo(['replay', '--data-dir', dir, '--component', 'constructor']);
      expect(stderr).toBe(`ordo: replay: --component must be one of risk, router, got 'constructor' (see 'ordo help')`);
      expect(code).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
