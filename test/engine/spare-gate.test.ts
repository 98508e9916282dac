import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { AT_ONCE, quietLoop } from '../../engine/host/spare-gate.ts';

const spin = (ms: number) => {
  const t = performance.now();
  while (performance.now() - t < ms) {
    // The loop is busy: nothing else runs.
  }
};
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Decision 300: the time machine's spare starts when the host's loop has been quiet, read from its utilisation. */
describe('quietLoop', () => {
  it('says busy after a spell the loop spent running, quiet after one it spent waiting', async () => {
    const gate = quietLoop(0.05, 1000);
    expect(gate.everyMs).toBe(1000);
    spin(200);
    expect(gate.quiet()).toBe(false);
    await sleep(400);
    expect(gate.quiet()).toBe(true);
    spin(200);
    expect(gate.quiet()).toBe(false);
  });

  it('AT_ONCE never waits', () => {
    expect(AT_ONCE.everyMs).toBe(0);
    expect(AT_ONCE.quiet()).toBe(true);
  });
});
