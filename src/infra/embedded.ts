// How the embedded database (PGlite) is opened so that its first start is quick and the process
// stays small. Measured with `npm run measure:embedded` (numbers in docs/operations.md):
// - Creating a cluster runs PGlite's initdb, and in the server process the memory it used
//   (≈ 450 MB) would stay for the process's whole life. A new DATA_DIR is instead a copy of a
//   prepared cluster (a folder initdb filled once, in a worker thread). A tarball of it, which
//   PGlite unpacks itself, was tried first: the unpacking left ≈ 50 MB in the server for good.
// - PGlite sets shared_buffers to 160 MB and touches all of it at start; this story's whole
//   database is under 40 MB, so 8 MB of buffers is plenty and saves ≈ 130 MB.
// - PGlite is 9 MB of WebAssembly. V8 compiles it quickly (Liftoff) and then again, optimized
//   (TurboFan), in the background: on two cores that second compile cost ≈ 2 s of CPU during the
//   first start and ≈ 60 MB for the code. A process with the embedded database keeps Liftoff's
//   code only, which is fast enough for a story of a few hundred rows.

import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
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
 * Where the prepared cluster of the installed PGlite version is kept: a folder in node_modules'
 * cache, so a PGlite upgrade (a new version, maybe a new catalog) never copies an old one.
 */
export function templatePath(): string {
  const { version } = JSON.parse(readFileSync(join(pgliteRoot, 'package.json'), 'utf8')) as {
    version: string;
  };
  return join(pgliteRoot, '..', '..', '.cache', 'storygraph', `pglite-${version}-cluster`);
}

// Runs initdb into workerData.target in a worker thread, so that its memory (≈ 450 MB) goes away
// with the worker instead of staying in the server. Written to run as CommonJS or as a module (an
// eval worker inherits `--input-type`).
const INITDB = `
(async () => {
  const { parentPort, workerData } = await import('node:worker_threads');
  const { PGlite } = await import(workerData.pgliteEntry);
  const db = new PGlite(workerData.target, { startParams: workerData.startParams });
  await db.waitReady;
  await db.close();
  parentPort.postMessage('done');
})();
`;

/** Creates a cluster in the folder `target` (PGlite's initdb), in a worker thread. */
async function initdb(target: string): Promise<void> {
  const worker = new Worker(INITDB, {
    eval: true,
    workerData: { pgliteEntry, target, startParams: startParams() },
  });
  try {
    await new Promise<void>((resolvePromise, reject) => {
      worker.once('message', () => resolvePromise());
      worker.once('error', reject);
      worker.once('exit', (code) =>
        reject(new Error(`creating the embedded database exited with code ${code}`)),
      );
    });
  } finally {
    await worker.terminate();
  }
}

const hasCluster = (folder: string) => existsSync(join(folder, 'PG_VERSION'));

/**
 * The prepared cluster's folder ({@link templatePath}), built on the first call if it is missing.
 * `npm install` builds it (scripts/prepare-embedded.mjs), so a newcomer's first start only copies
 * it. Undefined when the cache folder can not be written.
 */
export async function prepareCluster(): Promise<string | undefined> {
  const path = templatePath();
  if (hasCluster(path)) return path;
  const partial = `${path}.${process.pid}.partial`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    await initdb(partial);
    renameSync(partial, path);
  } catch {
    // Not writable, or another process renamed its copy first (then that one is used).
    rmSync(partial, { recursive: true, force: true });
  }
  return hasCluster(path) ? path : undefined;
}

function startParams(): string[] {
  return [...PGlite.defaultStartParams, ...EMBEDDED_SETTINGS.flatMap((setting) => ['-c', setting])];
}

/**
 * Applies the process-wide settings the embedded database wants. Called before any WebAssembly
 * is compiled (PGlite's, Prisma's query compiler): the flag only affects later compilations.
 * Node 20 honours it fully when set here. Node 26's V8 only partly does: there the process still
 * spent ≈ 0.8 s more CPU and ≈ 15 MB more than with the flag on the command line, and a whole
 * server about 80 MB more. That is why `npm start` also passes `--liftoff-only` to node.
 */
export function tuneProcessForEmbedded(): void {
  v8.setFlagsFromString('--liftoff-only');
}

/**
 * Opens PGlite in `path` (a folder whose parent exists). A folder without a cluster is first
 * filled with a copy of the prepared one.
 */
export async function startPGlite(path: string): Promise<PGlite> {
  if (!hasCluster(path)) {
    const template = await prepareCluster();
    if (template) {
      // PG_VERSION last: a copy cut short (a crash, a full disk) is then not taken for a cluster
      // on the next start, and is copied again.
      const version = join(template, 'PG_VERSION');
      cpSync(template, path, { recursive: true, filter: (source) => source !== version });
      copyFileSync(version, join(path, 'PG_VERSION'));
    } else {
      await initdb(path);
    }
  }
  const pglite = new PGlite(path, { startParams: startParams() });
  await pglite.waitReady;
  return pglite;
}
