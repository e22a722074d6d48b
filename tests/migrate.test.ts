import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../src/infra/db.ts';
import {
  MIGRATIONS_DIR,
  MigrationError,
  migrate,
  pendingMigrations,
  readMigrations,
} from '../src/infra/migrate.ts';
import { admin, SCRATCH_PREFIX, urlFor } from './helpers/postgres.ts';

const name = `${SCRATCH_PREFIX}${process.ppid}_migrate_${Date.now()}`;
await admin((client) => client.query(`CREATE DATABASE ${name}`));
const fresh = openPostgres(urlFor(name), 4);

afterAll(async () => {
  await fresh.close();
  await admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
});

describe('the offline migration runner', () => {
  const files = readMigrations();

  it('applies every committed migration once, recording them as prisma migrate deploy does', async () => {
    expect(files.length).toBeGreaterThan(0);
    expect(await pendingMigrations(fresh)).toEqual(files.map((file) => file.name));
    const first = await migrate(fresh);
    expect(first.applied).toEqual(files.map((file) => file.name));
    const rows = await fresh.withSession((session) =>
      session.query<{
        migration_name: string;
        checksum: string;
        finished_at: Date | null;
        applied_steps_count: number;
      }>(
        'SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name',
      ),
    );
    expect(
      rows.rows.map((row) => [row.migration_name, row.checksum, row.applied_steps_count]),
    ).toEqual(files.map((file) => [file.name, file.checksum, 1]));
    expect(rows.rows.every((row) => row.finished_at !== null)).toBe(true);

    const second = await migrate(fresh);
    expect(second).toEqual({ applied: [], alreadyApplied: files.map((file) => file.name) });
    expect(await pendingMigrations(fresh)).toEqual([]);
  });

  it('runs safely from several callers at once', async () => {
    const reports = await Promise.all([migrate(fresh), migrate(fresh), migrate(fresh)]);
    for (const report of reports) expect(report.applied).toEqual([]);
  });

  it('refuses a migration whose file changed after it was applied', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'storygraph-migrations-'));
    cpSync(MIGRATIONS_DIR, dir, { recursive: true });
    const firstName = files[0]?.name as string;
    writeFileSync(join(dir, firstName, 'migration.sql'), `${files[0]?.sql}\n-- edited\n`);
    await expect(migrate(fresh, dir)).rejects.toThrow(MigrationError);
    await expect(migrate(fresh, dir)).rejects.toThrow(/was changed after it was applied/);
  });

  it('rolls back a failing migration completely and records nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'storygraph-migrations-'));
    cpSync(MIGRATIONS_DIR, dir, { recursive: true });
    const broken = '99990101000000_broken';
    cpSync(join(dir, files[0]?.name as string), join(dir, broken), { recursive: true });
    writeFileSync(
      join(dir, broken, 'migration.sql'),
      'CREATE TABLE "HalfDone" (id int);\nSELECT * FROM "NoSuchTable";\n',
    );
    await expect(migrate(fresh, dir)).rejects.toThrow(/failed and was rolled back/);
    const state = await fresh.withSession(async (session) => ({
      table: (
        await session.query<{ t: string | null }>(`SELECT to_regclass('"HalfDone"')::text AS t`)
      ).rows[0]?.t,
      recorded: (
        await session.query('SELECT 1 FROM "_prisma_migrations" WHERE migration_name = $1', [
          broken,
        ])
      ).rows.length,
    }));
    expect(state).toEqual({ table: null, recorded: 0 });
  });
});
