import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Test files run on their own, before the rest (`ORDO_TEST_ISOLATED=1`): the QuickFIX C++ client's
 * restart-and-resend case passes alone but timed out waiting for its resent reports in three full
 * parallel runs on the 2-core machine; the cause is not found yet (see docs/notes/2026-11-29/README.md).
 */
const ISOLATED = ['test/engine/fix/acceptor-quickfix.integration.test.ts'];
const isolated = process.env['ORDO_TEST_ISOLATED'] === '1';

export default defineConfig({
  test: {
    include: isolated ? ISOLATED : ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    exclude: isolated ? configDefaults.exclude : [...configDefaults.exclude, ...ISOLATED],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
