import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    reporters: ['default'],
    // Every `ordo host` a test starts would first warm its order path up on a scratch engine (decision 291), seconds
    // each; the warm-up has tests of its own (test/engine/warm-up*.test.ts), which ask for it.
    env: { ORDO_WARM_UP: '0' },
  },
});
