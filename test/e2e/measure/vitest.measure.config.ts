import { defineConfig } from 'vitest/config';

/** Measurements (figures, not tests): run one on purpose, e.g. `npx vitest run --config test/e2e/measure/vitest.measure.config.ts`. */
export default defineConfig({
  test: {
    include: ['test/e2e/measure/*.measure.ts'],
    testTimeout: 1_800_000,
    hookTimeout: 1_800_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
