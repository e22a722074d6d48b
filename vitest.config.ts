import { createRequire } from 'node:module';
import { configDefaults, defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql 16 ships CommonJS and ESM copies. Node (and so Pothos and Yoga) loads the CommonJS
    // one; Vite would hand test files the ESM one, and graphql refuses to mix the two realms.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['tests/**/*.test.ts'],
    // Tests of the running compose stack: scripts/compose-test.sh runs them with their own config.
    exclude: [...configDefaults.exclude, 'tests/compose/**'],
    globalSetup: ['tests/helpers/global-setup.ts'],
    setupFiles: ['tests/helpers/database-per-file.ts'],
    // Servers, sockets and a real database: give slow machines room, but fail rather than hang.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    env: { NODE_ENV: 'test' },
  },
});
