import { defineConfig } from 'vitest/config';

// Two projects: `unit` starts no processes or sockets; `integration` runs real children and
// real files, in forked workers so a stray child or signal cannot take down the runner.
export default defineConfig({
  test: {
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          pool: 'forks',
          testTimeout: 20_000,
          hookTimeout: 20_000,
        },
      },
    ],
  },
});
