import path from 'node:path';
import { defineConfig } from 'vitest/config';

// The end-to-end suite: the production build served by `next start`, driven by Debian's Chromium through
// playwright-core and by plain HTTP. Run `npm run build` first; `npm run test:e2e` runs it.
export default defineConfig({
  resolve: {
    alias: {
      '@site-config': path.resolve(import.meta.dirname, 'site.config.ts'),
      '@': path.resolve(import.meta.dirname, 'src'),
    },
  },
  test: {
    name: 'e2e',
    include: ['e2e/**/*.e2e.ts'],
    globalSetup: ['e2e/setup/global.ts'],
    // One browser flow at a time on a 2-core machine; each file signs up its own users.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
