import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

// The tests of the running compose stack. scripts/compose-test.sh starts the stack and runs this
// config with the proxy's URL in COMPOSE_TEST_URL; `npm test` leaves these files out.
export default defineConfig({
  resolve: {
    // The same graphql alias as the main config: one copy of graphql for the whole test run.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['tests/compose/**/*.test.ts'],
    // The tests run in order against one stack, and some stop and start its containers.
    fileParallelism: false,
    sequence: { concurrent: false },
    testTimeout: 120_000,
    hookTimeout: 240_000,
    pool: 'forks',
  },
});
