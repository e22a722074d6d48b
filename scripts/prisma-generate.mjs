#!/usr/bin/env node
// Generates the Prisma client and the Pothos types from prisma/schema.prisma.
// `prisma generate` needs no schema engine, but the CLI tries to download one before it starts;
// that fails without internet. Pointing PRISMA_SCHEMA_ENGINE_BINARY at any executable stops the
// download. A developer who set the variable (to the offline engine, say) keeps their choice.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const prisma = resolve(root, 'node_modules/prisma/build/index.js');
if (!existsSync(prisma)) {
  // A production install (`npm ci --omit=dev`) has no CLI; the image copies the generated client.
  console.info('prisma CLI not installed; skipping client generation');
  process.exit(0);
}
const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= existsSync('/bin/true') ? '/bin/true' : process.execPath;
const result = spawnSync(process.execPath, [prisma, 'generate'], {
  cwd: root,
  env,
  stdio: ['ignore', 'pipe', 'pipe'],
});
if (result.status !== 0) {
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  process.exit(result.status ?? 1);
}
console.info('generated the Prisma client and Pothos types in src/generated');
