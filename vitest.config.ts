import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Builds dist/ once (bundles + Node side) so tests run the code that ships.
    globalSetup: ['test/global-setup.ts'],
  },
});
