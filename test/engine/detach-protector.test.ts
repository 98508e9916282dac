import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const built = pathToFileURL(join(import.meta.dirname, '../../dist/engine/host/detach-protector.js')).href;
const dir = mkdtempSync(join(tmpdir(), 'ordo-protector-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * In a fresh node (V8's natives on, to ask a function's tier): optionally gives up the protector as `ordo host` does
 * first, then optimizes a typed-array reader, transfers an ArrayBuffer (as the host's threads do), and says whether
 * the reader is still optimized.
 */
function run(giveUpFirst: boolean): { before: boolean; after: boolean } {
  const script = join(dir, `probe-${giveUpFirst}.mjs`);
  writeFileSync(
    script,
    `import { giveUpArrayBufferDetachingProtector } from ${JSON.stringify(built)};
${giveUpFirst ? 'giveUpArrayBufferDetachingProtector();' : ''}
const a = new Uint8Array(16);
function sum(x) { let s = 0; for (let i = 0; i < x.length; i++) s += x[i]; return s; }
%PrepareFunctionForOptimization(sum); sum(a); sum(a); %OptimizeFunctionOnNextCall(sum); sum(a);
const before = %ActiveTierIsTurbofan(sum);
const sent = new ArrayBuffer(8);
structuredClone(sent, { transfer: [sent] });
console.log(JSON.stringify({ before, after: %ActiveTierIsTurbofan(sum) }));
`,
  );
  return JSON.parse(execFileSync(process.execPath, ['--allow-natives-syntax', script], { encoding: 'utf8' })) as { before: boolean; after: boolean };
}

describe('the ArrayBuffer detaching protector given up at start (decision 291)', () => {
  it('without it, the first transferred ArrayBuffer throws away optimized typed-array code (what a fresh host saw after its ready line)', () => {
    expect(run(false)).toEqual({ before: true, after: false });
  });

  it('given up first, code optimized afterwards stays optimized when a buffer is transferred', () => {
    expect(run(true)).toEqual({ before: true, after: true });
  });
});
