import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const DIST = (p: string): string => fileURLToPath(new URL(`../../dist/engine/${p}`, import.meta.url));

/**
 * Runs the built give-back in a node process of its own started with `flags` (the test runner's own V8 flags are not
 * the product's), and reports which `gc` it used and whether a context and a worker made afterwards still have `gc`.
 */
function afterGiveBack(flags: string[]): { how: string; trimmed: boolean; context: string; worker: string; main: string } {
  const script = `
    import { runInNewContext } from 'node:vm';
    import { Worker } from 'node:worker_threads';
    import { fullCollection, giveBackStartupMemory } from ${JSON.stringify(DIST('native/heap-trim.js'))};
    const how = fullCollection();
    const t = giveBackStartupMemory();
    const worker = await new Promise((resolve, reject) => {
      // The worker inherits --input-type=module: its code is a module too.
      const w = new Worker('import { parentPort } from "node:worker_threads"; parentPort.postMessage(typeof gc)', { eval: true });
      w.once('message', resolve);
      w.once('error', reject);
    });
    console.log(JSON.stringify({ how, trimmed: t.trimmed, context: runInNewContext('typeof gc'), worker, main: typeof gc }));
  `;
  const r = spawnSync(process.execPath, [...flags, '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout.trim()) as { how: string; trimmed: boolean; context: string; worker: string; main: string };
}

describe("the start-up's give-back (giveBackStartupMemory)", () => {
  it('in a process started with --expose-gc calls its gc and leaves the flag alone: contexts and workers made later still have gc', () => {
    const r = afterGiveBack(['--expose-gc']);
    expect(r.how).toBe('own');
    expect(r.main).toBe('function');
    expect(r.context).toBe('function');
    expect(r.worker).toBe('function');
  });

  it('in a process without it exposes gc for its one call only: nothing made later has gc', () => {
    const r = afterGiveBack([]);
    expect(r.how).toBe('exposed');
    expect(r.main).toBe('undefined');
    expect(r.context).toBe('undefined');
    expect(r.worker).toBe('undefined');
  });
});
