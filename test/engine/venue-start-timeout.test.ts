import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeError } from '../../engine/cli/errors.ts';
import { VenueProcess } from '../../engine/venue/venue-process.ts';
import { backbonesPerTest, removeDir, tempDir } from './helpers/backbone.ts';

const backbones = backbonesPerTest();

/**
 * The simulated venue's process not ready in time (round 16, outside: reached under load) was reported as
 * "ordo: unexpected error: …". It is a condition of the machine, named as such: one line, exit 1.
 */
describe("the simulated venue's process start", () => {
  it('not ready within its limit: one line naming it, not "unexpected error"', async () => {
    const dir = tempDir('ordo-venue-slow-');
    backbones.defer(() => removeDir(dir));
    const entry = join(dir, 'never-ready.cjs');
    writeFileSync(entry, 'setInterval(() => {}, 1000);\n');
    const err = await VenueProcess.start({ entry, instruments: [], seed: 1, tickMs: 0, readyMs: 300 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(describeError(err)).toEqual({ line: "ordo: the simulated venue's process did not start within 0.3 s (is the machine overloaded? try again)", code: 1 });
  });
});
