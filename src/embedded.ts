// How the embedded database (PGlite) is opened so that its first start is quick and the process
// stays small. Measured with `npm run measure:embedded` (numbers in the README):
// - Creating a cluster runs PGlite's initdb inside the server process, and the memory it used
//   (≈ 450 MB) stays with the process for its whole life. A new DATA_DIR is instead filled from a
//   prepared cluster (a tarball PGlite itself dumped right after initdb), which skips initdb.
// - PGlite sets shared_buffers to 160 MB and touches all of it at start; this story's whole
//   database is under 40 MB, so 8 MB of buffers is plenty and saves ≈ 130 MB.
// - PGlite is 9 MB of WebAssembly. V8 compiles it quickly (Liftoff) and then again, optimized
//   (TurboFan), in the background: on two cores that second compile cost ≈ 2 s of CPU during the
//   first start and ≈ 60 MB for the code. A process with the embedded database keeps Liftoff's
//   code only, which is fast enough for a story of a few hundred rows.

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import { Worker } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

/** PostgreSQL settings of the embedded database, on top of PGlite's own start parameters. */
export const EMBEDDED_SETTINGS = ['shared_buffers=8MB'];

// Resolved with require (Vite's module runner, which runs the tests, has no import.meta.resolve).
const pgliteFile = createRequire(import.meta.url).resolve('@electric-sql/pglite');
const pgliteEntry = pathToFileURL(pgliteFile).href;
// …/node_modules/@electric-sql/pglite/dist/index.cjs → …/node_modules/@electric-sql/pglite
const pgliteRoot = dirname(dirname(pgliteFile));

/**
 * Where the prepared cluster of the installed PGlite version is kept: a cache folder in
 * node_modules, so a PGlite upgrade (a new version, maybe a new catalog) never loads an old one.
 */
export function templatePath(): string {
  const { version } = JSON.parse(readFileSync(join(pgliteRoot, 'package.json'), 'utf8')) as {
    version: string;
  };
  return join(pgliteRoot, '..', '..', '.cache', 'storygraph', `pglite-${version}-cluster.tar.gz`);
}

// Runs initdb in a worker thread, so that its memory (≈ 450 MB) goes away with the worker instead
// of staying in the server, and saves the result as the prepared cluster (a folder that can not
// be written only costs the cache). Written to run as CommonJS or as a module (an eval worker
// inherits `--input-type`).
const PREPARE = `
(async () => {
  const { parentPort, workerData } = await import('node:worker_threads');
  const fs = await import('node:fs');
  const { dirname } = await import('node:path');
  const { PGlite } = await import(workerData.pgliteEntry);
  const { templatePath, startParams } = workerData;
  const db = new PGlite('memory://', { startParams });
  await db.waitReady;
  const template = new Uint8Array(await (await db.dumpDataDir('gzip')).arrayBuffer());
  await db.close();
  const partial = templatePath + '.' + process.pid + '.partial';
  try {
    fs.mkdirSync(dirname(templatePath), { recursive: true });
    fs.writeFileSync(partial, template);
    fs.renameSync(partial, templatePath);
  } catch {
    fs.rmSync(partial, { force: true });
  }
  parentPort.postMessage(template, [template.buffer]);
})();
`;

/**
 * The prepared cluster: read from {@link templatePath}, or built in a worker thread (and saved
 * there). `npm install` builds it once (scripts/prepare-embedded.mjs), so a newcomer's first start
 * only unpacks it.
 */
export async function prepareCluster(): Promise<Uint8Array<ArrayBuffer>> {
  const path = templatePath();
  if (existsSync(path)) return new Uint8Array(readFileSync(path));
  const worker = new Worker(PREPARE, {
    eval: true,
    workerData: { pgliteEntry, templatePath: path, startParams: startParams() },
  });
  try {
    return await new Promise<Uint8Array<ArrayBuffer>>((resolvePromise, reject) => {
      worker.once('message', resolvePromise);
      worker.once('error', reject);
      worker.once('exit', (code) =>
        reject(new Error(`preparing the embedded database exited with code ${code}`)),
      );
    });
  } finally {
    await worker.terminate();
  }
}

function startParams(): string[] {
  return [...PGlite.defaultStartParams, ...EMBEDDED_SETTINGS.flatMap((setting) => ['-c', setting])];
}

/**
 * Applies the process-wide settings the embedded database wants. Called before any WebAssembly
 * is compiled (PGlite's, Prisma's query compiler): the flag only affects later compilations.
 */
export function tuneProcessForEmbedded(): void {
  v8.setFlagsFromString('--liftoff-only');
}

/**
 * Opens PGlite in `path` (a folder whose parent exists). A folder without a cluster is first
 * filled from the prepared one.
 */
export async function startPGlite(path: string): Promise<PGlite> {
  // Unpacked here rather than in a worker: measured, a worker's second PGlite start cost ≈ 0.8 s
  // of CPU and saved no memory.
  const loadDataDir = existsSync(join(path, 'PG_VERSION'))
    ? undefined
    : new Blob([await prepareCluster()]);
  const pglite = new PGlite(path, { startParams: startParams(), loadDataDir });
  await pglite.waitReady;
  return pglite;
}
