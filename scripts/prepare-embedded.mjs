#!/usr/bin/env node
// Builds the embedded database's prepared cluster at install time (see src/infra/embedded.ts), so the
// first `npm start` does not run PGlite's initdb. Needs tsx (a dev dependency); a production
// install without it skips this, and the server then builds the cluster on its first start.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
if (!existsSync(resolve(root, 'node_modules/tsx'))) {
  console.info('tsx not installed; the embedded database cluster is prepared on first start');
  process.exit(0);
}
const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--input-type=module',
    '-e',
    "const { prepareCluster, templatePath } = await import('./src/infra/embedded.ts'); await prepareCluster(); console.info('prepared the embedded database cluster in ' + templatePath());",
  ],
  { cwd: root, stdio: 'inherit' },
);
// A failure here only makes the first start slower: never fail the install for it.
if (result.status !== 0) console.warn('could not prepare the embedded database cluster');
