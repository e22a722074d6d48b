#!/usr/bin/env node
// Stand-in for Prisma's native `schema-engine` binary, for machines that cannot download it.
// Use: PRISMA_SCHEMA_ENGINE_BINARY=$PWD/tools/prisma-engine/schema-engine.mjs npx prisma migrate ...
// It speaks the binary's JSON-RPC over stdio and hands every call to @prisma/schema-engine-wasm
// (the same engine compiled to wasm), which reaches PostgreSQL through @prisma/adapter-pg.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import readline from 'node:readline';
import { inspect } from 'node:util';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';

const require = createRequire(import.meta.url);

// --- arguments: [--datamodels FILE]... [--datasource JSON] [cli <subcommand>] ---
const argv = process.argv.slice(2);
const datamodelPaths = [];
let datasource = {};
let cliCommand;
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--version' || a === '-V') {
    // The CLI only shows this; the hash is the one it expects from the native engine.
    const { enginesVersion } = require('@prisma/engines-version');
    process.stdout.write(`schema-engine-cli ${enginesVersion}\n`);
    process.exit(0);
  } else if (a === '--datamodels') datamodelPaths.push(argv[++i]);
  else if (a === '--datasource') datasource = JSON.parse(argv[++i]);
  else if (a === 'cli') cliCommand = argv[++i];
  // --enabled-preview-features / --extension-types: nothing to forward to the wasm engine.
}

// Anything unexpected: report it the way the CLI reads engine logs (JSON lines on stderr, level ERROR)
// and exit 1, so it prints "Error in Schema engine: ..." instead of silently returning no output.
const fatal = (e) => {
  const fields = { message: String(e?.stack ?? e) };
  process.stderr.write(
    `${JSON.stringify({ level: 'ERROR', target: 'schema_engine::logger', fields })}\n`,
  );
  process.exit(1);
};
process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);

// The engine reads catalog columns of type `char` (OID 18) and `name` (OID 19), which adapter-pg
// refuses ("UnsupportedNativeDataType"). Both arrive as plain text on the wire, so relabel them.
const addFields = pg.Result.prototype.addFields;
pg.Result.prototype.addFields = function (fields) {
  for (const f of fields) if (f.dataTypeID === 18 || f.dataTypeID === 19) f.dataTypeID = 25;
  return addFields.call(this, fields);
};

const withDatabase = (url, db) => {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(db)}`;
  return u.toString();
};
const databaseOf = (url) => decodeURIComponent(new URL(url).pathname.slice(1)) || 'postgres';
const quoteIdent = (s) => `"${s.replaceAll('"', '""')}"`;

// One short-lived connection for CREATE/DROP DATABASE (they cannot run inside a transaction).
async function adminQuery(url, sql) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function connectAdapter(url) {
  const schema = new URL(url).searchParams.get('schema') ?? undefined;
  const adapter = await new PrismaPg({ connectionString: url }, { schema }).connect();
  // adapter-pg's executeScript splits on ';', which breaks `$$ ... $$` bodies and string literals.
  // The native engine sends a migration as one simple-protocol query on one connection: do the same.
  adapter.executeScript = async (script) => {
    try {
      await adapter.underlyingDriver().query(script);
    } catch (e) {
      adapter.onError(e); // rethrows as DriverAdapterError, so the engine shows the PostgreSQL message
    }
  };
  return adapter;
}

// The engine asks for a shadow database to replay migrations in (migrate dev, diff --from-migrations).
// adapter-pg's own factory drops it while its pool is still open and leaks the admin pool, so:
// create a fresh database, hand it over, and on dispose close its pool first, then drop it.
const liveShadows = new Map(); // name -> { dispose, forceDrop }: cleaned at exit if the engine did not
class Factory {
  provider = 'postgres';
  adapterName = '@prisma/adapter-pg';
  constructor(url) {
    this.url = url;
  }
  connect() {
    if (!this.url) throw new Error('No datasource url: set datasource.url in prisma.config.ts');
    return connectAdapter(this.url);
  }
  async connectToShadowDb() {
    const name = `prisma_migrate_shadow_db_${randomUUID().replaceAll('-', '')}`;
    await adminQuery(this.url, `CREATE DATABASE ${quoteIdent(name)}`);
    const adapter = await connectAdapter(withDatabase(this.url, name));
    const closePool = adapter.dispose.bind(adapter);
    const drop = (force = '') =>
      adminQuery(this.url, `DROP DATABASE IF EXISTS ${quoteIdent(name)}${force}`);
    adapter.dispose = async () => {
      liveShadows.delete(name);
      await closePool();
      await drop();
    };
    liveShadows.set(name, { dispose: adapter.dispose, forceDrop: () => drop(' WITH (FORCE)') });
    return adapter;
  }
}

// --- `schema-engine cli <cmd>`: used by the CLI to check/create the database before migrating ---
// Errors go to stderr as JSON log lines; the CLI skips the first stderr line, then looks for
// level ERROR + target schema_engine::logger + fields.error_code.
function cliError(code, message) {
  const line = (level, fields) =>
    JSON.stringify({ level, target: 'schema_engine::logger', fields });
  process.stderr.write(`${line('INFO', { message: 'Starting schema engine CLI' })}\n`);
  process.stderr.write(`${line('ERROR', { error_code: code, message })}\n`);
  process.exit(1);
}
function pgErrorCode(e, url) {
  const u = new URL(url);
  const where = `${u.hostname}:${u.port || 5432}`;
  if (e.code === '3D000')
    return [
      'P1003',
      `Database \`${databaseOf(url)}\` does not exist on the database server at \`${where}\`.`,
    ];
  if (e.code === '28P01' || e.code === '28000')
    return ['P1000', `Authentication failed against database server at \`${where}\`.`];
  if (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND')
    return ['P1001', `Can't reach database server at \`${where}\``];
  return ['P1000', String(e.message)];
}
async function runCli(cmd, url) {
  const admin = withDatabase(url, 'postgres');
  const db = databaseOf(url);
  try {
    if (cmd === 'can-connect-to-database') await adminQuery(url, 'SELECT 1');
    else if (cmd === 'create-database') {
      await adminQuery(admin, `CREATE DATABASE ${quoteIdent(db)}`);
      process.stdout.write(`Database '${db}' was successfully created.\n`);
    } else if (cmd === 'drop-database') {
      await adminQuery(admin, `DROP DATABASE IF EXISTS ${quoteIdent(db)}`);
      process.stdout.write(`The database '${db}' was successfully dropped.\n`);
    } else cliError('P1000', `Unsupported cli subcommand: ${cmd}`);
  } catch (e) {
    cliError(...pgErrorCode(e, url));
  }
  process.exit(0);
}
if (cliCommand) await runCli(cliCommand, datasource.url);

// --- the wasm engine, instantiated by hand (Node 20 cannot `import` a .wasm file) and only once:
// a second instance in the same process corrupts the first. Its panics report through this global.
globalThis.PRISMA_WASM_PANIC_REGISTRY = {
  message: '',
  set_message(m) {
    this.message = `RuntimeError: ${m}`;
  },
};
const runtime = await import('@prisma/schema-engine-wasm/schema_engine_bg');
const wasmFile = path.join(
  path.dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg')),
  'schema_engine_bg.wasm',
);
const instance = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(wasmFile)), {
  './schema_engine_bg.js': runtime,
});
runtime.__wbg_set_wasm(instance.exports);
instance.exports.__wbindgen_start();

const datamodels = datamodelPaths.map((p) => [p, readFileSync(path.resolve(p), 'utf8')]);
const log = process.env.SCHEMA_ENGINE_DEBUG ? (m) => process.stderr.write(`${m}\n`) : () => {};
let adapterFactory;
let engine; // created on the first request, inside the request's try/catch, so failures become RPC errors

// Unlike the native binary, the wasm engine connects to the database as soon as it is created. A diff
// that never looks at the database (--from-empty/--from-migrations/--to-schema...) should still work
// when the configured database does not exist yet: then borrow the server's maintenance database.
async function engineUrl(msg) {
  const url = datasource.url;
  const readsDb = (t) => t?.tag === 'schemaDatasource' || t?.tag === 'url';
  if (!url || msg.method !== 'diff' || readsDb(msg.params?.from) || readsDb(msg.params?.to))
    return url;
  try {
    await adminQuery(url, 'SELECT 1');
    return url;
  } catch (e) {
    if (e.code === '3D000') return withDatabase(url, 'postgres');
    throw e;
  }
}
async function createEngine(msg) {
  adapterFactory = bindMigrationAwareSqlAdapterFactory(new Factory(await engineUrl(msg)));
  // `datamodels` must be undefined or non-empty.
  return runtime.SchemaEngine.new(
    { datamodels: datamodels.length ? datamodels : undefined },
    log,
    adapterFactory,
  );
}

// --- JSON-RPC over stdin/stdout, one message per line ---
const send = (msg) => process.stdout.write(`${JSON.stringify({ jsonrpc: '2.0', ...msg })}\n`);
let devDiagnosed = false;
let panicked = false;

const handlers = {
  // createMigration/evaluateDataLoss read a shadow-DB result that devDiagnostic caches; without it
  // they fail with "shadow DB must be provided through an external factory". The CLI calls
  // devDiagnostic first, but `migrate dev` then applies pending migrations, which drops that cache:
  // so refresh it whenever any other command ran since (see the request loop).
  async createMigration(p) {
    if (!devDiagnosed) await handlers.devDiagnostic(p);
    return engine.createMigration(p);
  },
  async evaluateDataLoss(p) {
    if (!devDiagnosed) await handlers.devDiagnostic(p);
    return engine.evaluateDataLoss(p);
  },
  async devDiagnostic(p) {
    const r = await engine.devDiagnostic({ migrationsList: p.migrationsList, filters: p.filters });
    devDiagnosed = true;
    return r;
  },
  // The native engine prints the diff through a `print` request to the CLI and returns only the exit code.
  async diff(p) {
    const { stdout, exitCode } = await engine.diff(p);
    if (stdout)
      send({
        id: `print-${randomUUID()}`,
        method: 'print',
        params: { content: stdout.replace(/\n$/, '') },
      });
    return { exitCode };
  },
  // The wasm `version` insists on a datasource (throwing outside any promise otherwise).
  getDatabaseVersion: (p) =>
    engine.version(
      p?.datasource ? p : { datasource: { tag: 'ConnectionString', url: datasource.url } },
    ),
  async createDatabase(p) {
    const url = p?.datasource?.url ?? datasource.url;
    await adminQuery(
      withDatabase(url, 'postgres'),
      `CREATE DATABASE ${quoteIdent(databaseOf(url))}`,
    );
    return { databaseName: databaseOf(url) };
  },
};
// Everything else goes straight through; the native RPC params are the wasm engine's inputs.
const passThrough =
  'applyMigrations dbExecute diagnoseMigrationHistory ensureConnectionValidity introspect ' +
  'introspectSql markMigrationApplied markMigrationRolledBack reset schemaPush debugPanic';
for (const m of passThrough.split(' ')) {
  handlers[m] ??= (p) => engine[m](p); // keep `engine.` in the call: a detached method loses its wasm pointer
}

// Shape errors like the native engine does, so the CLI prints codes (P3xxx) and messages properly.
function toRpcError(e) {
  if (e instanceof WebAssembly.RuntimeError || e?.name === 'RuntimeError') {
    panicked = true;
    const message = globalThis.PRISMA_WASM_PANIC_REGISTRY.message || String(e.message);
    return { code: 4466, message: 'panic', data: { is_panic: true, message, error: { message } } };
  }
  // Errors thrown in our JS (pg, adapter) reach the wasm as registry ids ("External error id#3"):
  // put the original message back in.
  log(`engine error: ${inspect(e)}`);
  const message = String(e?.message ?? e).replace(/External error id#(\d+)/g, (all, id) => {
    const original = adapterFactory?.errorRegistry.consumeError(Number(id))?.error;
    return original ? `${all}: ${original.message}` : all;
  });
  return {
    code: 4466,
    message: 'An error happened. Check the data field for details.',
    data: { is_panic: false, message, error_code: e?.code, meta: e?.meta ?? null },
  };
}

// One request at a time: the engine is not meant to run commands concurrently.
let queue = Promise.resolve();
const rl = readline.createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
rl.on('line', (line) => {
  if (!line.trim()) return;
  const msg = JSON.parse(line);
  if (!msg.method) return; // the CLI's acknowledgement of one of our `print` requests
  queue = queue.then(async () => {
    const handler = handlers[msg.method];
    if (panicked) return send({ id: msg.id, error: toRpcError(new WebAssembly.RuntimeError()) });
    if (!handler)
      return send({
        id: msg.id,
        error: { code: -32601, message: `Method not found: ${msg.method}` },
      });
    if (!['devDiagnostic', 'evaluateDataLoss', 'createMigration'].includes(msg.method))
      devDiagnosed = false;
    try {
      if (msg.method !== 'createDatabase') engine ??= await createEngine(msg); // that one runs without it
      const result = await handler(msg.params ?? {});
      send({ id: msg.id, result: result ?? {} });
    } catch (e) {
      send({ id: msg.id, error: toRpcError(e) });
    }
  });
});

// The CLI closes stdin when done. The wasm engine leaves a ~10 s timer behind, so exit explicitly
// after freeing it and dropping any shadow database it did not dispose.
rl.on('close', () => {
  queue.then(async () => {
    try {
      if (engine && !panicked) engine.free();
    } catch {}
    for (const { dispose, forceDrop } of liveShadows.values())
      await dispose().catch(() => forceDrop().catch(() => {}));
    process.exit(0);
  });
});
