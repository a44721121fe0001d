import path from 'node:path';
import { defineConfig } from 'vitest/config';

// Every test file gets its own database, created from a migrated template, so files run in parallel
// without sharing state. With DATABASE_URL set, that server hosts them; otherwise an embedded one does.
export default defineConfig({
  resolve: {
    alias: {
      '@site-config': path.resolve(import.meta.dirname, 'site.config.ts'),
      '@': path.resolve(import.meta.dirname, 'src'),
      // `server-only` throws outside React Server Components; in tests every module is server-side.
      'server-only': path.resolve(import.meta.dirname, 'tests/setup/server-only.ts'),
    },
  },
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/setup/global.ts'],
    setupFiles: ['tests/setup/database.ts'],
    pool: 'forks',
    maxWorkers: 3,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    env: { NODE_ENV: 'test' },
  },
});
