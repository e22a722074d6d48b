import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Database, SqlSession } from './db.ts';

/**
 * The folder of committed migrations, in Prisma's layout: `prisma/migrations` at the project root,
 * found from `src/infra/` under tsx and from `dist/src/infra/` when compiled.
 */
export const MIGRATIONS_DIR =
  [
    resolve(import.meta.dirname, '../../prisma/migrations'),
    resolve(import.meta.dirname, '../../../prisma/migrations'),
  ].find((dir) => existsSync(dir)) ?? resolve(import.meta.dirname, '../../prisma/migrations');

// The key `prisma migrate deploy` locks on, so that this runner and Prisma's CLI never run at once.
const PRISMA_ADVISORY_LOCK = 72707369;

// Prisma's own definition of its bookkeeping table, so that the CLI reads our rows as its own.
const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

/** A committed migration on disk. */
export interface MigrationFile {
  name: string;
  sql: string;
  /** sha256 of the file's bytes, as Prisma records it. */
  checksum: string;
}

/** What a run did. */
export interface MigrationReport {
  applied: string[];
  alreadyApplied: string[];
}

/** A migration can not be applied safely; nothing of it was written. */
export class MigrationError extends Error {
  override name = 'MigrationError';
}

/** Reads `prisma/migrations/<name>/migration.sql` folders in name order. */
export function readMigrations(dir = MIGRATIONS_DIR): MigrationFile[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, 'migration.sql')))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const bytes = readFileSync(join(dir, name, 'migration.sql'));
      return {
        name,
        sql: bytes.toString('utf8'),
        checksum: createHash('sha256').update(bytes).digest('hex'),
      };
    });
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | string | null;
  rolled_back_at: Date | string | null;
}

async function appliedMigrations(session: SqlSession): Promise<Map<string, AppliedRow>> {
  const { rows } = await session.query<AppliedRow>(
    'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL',
  );
  return new Map(rows.map((row) => [row.migration_name, row]));
}

/**
 * Applies pending migrations the way `prisma migrate deploy` records them, each in its own
 * transaction. Refuses to go on when an applied migration's file has changed or an earlier run
 * failed half-way. Safe to run concurrently from several processes (advisory lock) and again.
 */
export async function migrate(database: Database, dir = MIGRATIONS_DIR): Promise<MigrationReport> {
  const files = readMigrations(dir);
  return database.withSession(async (session) => {
    await session.query('SELECT pg_advisory_lock($1)', [PRISMA_ADVISORY_LOCK]);
    try {
      await session.exec(CREATE_MIGRATIONS_TABLE);
      const applied = await appliedMigrations(session);
      const report: MigrationReport = { applied: [], alreadyApplied: [] };
      for (const file of files) {
        const row = applied.get(file.name);
        if (row) {
          if (row.finished_at === null) {
            throw new MigrationError(
              `Migration ${file.name} started earlier but did not finish. Inspect the database, then mark it with \`prisma migrate resolve\`.`,
            );
          }
          if (row.checksum !== file.checksum) {
            throw new MigrationError(
              `Migration ${file.name} was changed after it was applied (checksum ${row.checksum.slice(0, 12)}… in the database, ${file.checksum.slice(0, 12)}… on disk). Restore the file and put the change in a new migration.`,
            );
          }
          report.alreadyApplied.push(file.name);
          continue;
        }
        await session.exec('BEGIN');
        try {
          // One call for the whole script: splitting on ';' would break function bodies.
          await session.exec(file.sql);
          await session.query(
            `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
             VALUES ($1, $2, $3, now(), now(), 1)`,
            [randomUUID(), file.checksum, file.name],
          );
          await session.exec('COMMIT');
        } catch (error) {
          await session.exec('ROLLBACK');
          throw new MigrationError(
            `Migration ${file.name} failed and was rolled back: ${(error as Error).message}`,
            {
              cause: error,
            },
          );
        }
        report.applied.push(file.name);
      }
      return report;
    } finally {
      await session.query('SELECT pg_advisory_unlock($1)', [PRISMA_ADVISORY_LOCK]);
    }
  });
}

// The files on disk do not change while the process runs: read and hash them once per folder,
// not on every readiness probe.
const migrationsOnDisk = new Map<string, MigrationFile[]>();

/** Names of committed migrations not yet applied (for readiness checks). */
export async function pendingMigrations(
  database: Database,
  dir = MIGRATIONS_DIR,
): Promise<string[]> {
  let files = migrationsOnDisk.get(dir);
  if (!files) {
    files = readMigrations(dir);
    migrationsOnDisk.set(dir, files);
  }
  return database.withSession(async (session) => {
    const { rows } = await session.query<{ exists: boolean }>(
      `SELECT to_regclass('"_prisma_migrations"') IS NOT NULL AS exists`,
    );
    if (!rows[0]?.exists) return files.map((file) => file.name);
    const applied = await appliedMigrations(session);
    return files.filter((file) => !applied.get(file.name)?.finished_at).map((file) => file.name);
  });
}
