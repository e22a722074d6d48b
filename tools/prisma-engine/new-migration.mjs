#!/usr/bin/env node
// `npm run db:new-migration -- <name> [more prisma flags]`
// Writes prisma/migrations/<timestamp>_<name>/migration.sql for the current schema without applying
// it, using the offline schema-engine stand-in next to this file (see README.md).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const [name, ...rest] = process.argv.slice(2);
if (!name || name.startsWith('-')) {
  console.error('usage: npm run db:new-migration -- <name> [prisma migrate dev flags]');
  process.exit(2);
}
const engine = path.join(path.dirname(fileURLToPath(import.meta.url)), 'schema-engine.mjs');
// The project's own prisma CLI, not whatever `npx` would find first.
const cli = createRequire(path.join(process.cwd(), 'package.json')).resolve(
  'prisma/build/index.js',
);
const { status } = spawnSync(
  process.execPath,
  [cli, 'migrate', 'dev', '--create-only', '--name', name, ...rest],
  {
    stdio: 'inherit',
    // An explicitly set binary wins, e.g. a real schema-engine on a machine with internet access.
    env: {
      ...process.env,
      PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY || engine,
    },
  },
);
process.exit(status ?? 1);
