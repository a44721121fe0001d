import path from 'node:path';
import { defineConfig } from 'vitest/config';

const alias = {
  '@site-config': path.resolve(import.meta.dirname, 'site.config.ts'),
  '@': path.resolve(import.meta.dirname, 'src'),
  // `server-only` throws outside React Server Components; in tests every module may import it.
  'server-only': path.resolve(import.meta.dirname, 'tests/setup/server-only.ts'),
};

// Two projects. `server`: every test file gets its own database, created from a migrated template, so
// files run in parallel without sharing state (DATABASE_URL's server, or an embedded one). `components`:
// React components rendered with @testing-library/react in happy-dom, with the real message catalogues.
export default defineConfig({
  resolve: { alias },
  oxc: { jsx: { runtime: 'automatic' } },
  test: {
    env: { NODE_ENV: 'test' },
    projects: [
      {
        extends: true,
        test: {
          name: 'server',
          sequence: { groupOrder: 0 },
          include: ['tests/**/*.test.ts'],
          globalSetup: ['tests/setup/global.ts'],
          setupFiles: ['tests/setup/database.ts'],
          pool: 'forks',
          maxWorkers: 3,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'components',
          sequence: { groupOrder: 1 },
          include: ['tests/**/*.test.tsx'],
          environment: 'happy-dom',
          setupFiles: ['tests/setup/components.ts'],
          testTimeout: 20_000,
        },
      },
    ],
  },
});
