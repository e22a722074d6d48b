// How the embedded database (PGlite) is opened so that its first start is quick and the process
// stays small. Measured with `npm run measure:embedded` (numbers in the README):
// - Creating a cluster runs PGlite's initdb inside the server process, and the memory it used
//   (≈ 450 MB) stays with the process for its whole life. A new DATA_DIR is instead filled from a
//   prepared cluster (a tarball PGlite itself dumped right after initdb), which skips initdb.
// - PGlite sets shared_buffers to 160 MB and touches all of it at start; this story's whole
//   database is under 40 MB, so 16 MB of buffers is plenty and saves ≈ 120 MB.
// - PGlite is 9 MB of WebAssembly. V8 compiles it quickly (Liftoff) and then again, optimized
//   (TurboFan), in the background: on two cores that second compile cost ≈ 2 s of CPU during the
//   first start and ≈ 60 MB for the code. A process with the embedded database keeps Liftoff's
//   code only, which is fast enough for a story of a few hundred rows.

import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import { Worker } from 'node:worker_threads';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';

/** PostgreSQL settings of the embedded database, on top of PGlite's own start parameters. */
export const EMBEDDED_SETTINGS = ['shared_buffers=16MB'];

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

// Runs initdb in a worker thread: its memory goes away with the worker, not into the server.
// Written to run as CommonJS or as a module (an eval worker inherits `--input-type`).
const BUILD_TEMPLATE = `
(async () => {
  const { parentPort, workerData } = await import('node:worker_threads');
  const { PGlite } = await import(workerData.pgliteEntry);
  const db = new PGlite('memory://', { startParams: workerData.startParams });
  await db.waitReady;
  const dump = await db.dumpDataDir('gzip');
  await db.close();
  parentPort.postMessage(new Uint8Array(await dump.arrayBuffer()));
})().catch((error) => { throw error; });
`;

/**
 * The prepared cluster as bytes: read from {@link templatePath}, or built (in a worker thread)
 * and saved there for the next time. `npm install` builds it once (scripts/prepare-embedded.mjs),
 * so a newcomer's first start finds it. A folder that can not be written only costs the cache.
 */
export async function loadTemplate(): Promise<Uint8Array> {
  const path = templatePath();
  if (existsSync(path)) return readFileSync(path);
  const worker = new Worker(BUILD_TEMPLATE, {
    eval: true,
    workerData: { pgliteEntry, startParams: startParams() },
  });
  const bytes = await new Promise<Uint8Array>((resolvePromise, reject) => {
    worker.once('message', resolvePromise);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`building the PGlite cluster exited ${code}`)));
  });
  await worker.terminate();
  try {
    mkdirSync(dirname(path), { recursive: true });
    const partial = `${path}.${process.pid}.partial`;
    writeFileSync(partial, bytes);
    renameSync(partial, path);
  } catch {
    rmSync(`${path}.${process.pid}.partial`, { force: true });
  }
  return bytes;
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
  const options: PGliteOptions = { startParams: startParams() };
  if (!existsSync(join(path, 'PG_VERSION'))) {
    options.loadDataDir = new Blob([(await loadTemplate()) as Uint8Array<ArrayBuffer>]);
  }
  const pglite = new PGlite(path, options);
  await pglite.waitReady;
  return pglite;
}
