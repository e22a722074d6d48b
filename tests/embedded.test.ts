import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openEmbedded } from '../src/infra/db.ts';
import { startPGlite, templatePath } from '../src/infra/embedded.ts';

// How the embedded database is opened (src/infra/embedded.ts; numbers from `npm run measure:embedded`).
const scratch = mkdtempSync(join(tmpdir(), 'storygraph-embedded-'));
const database = openEmbedded(join(scratch, 'data'));

afterAll(async () => {
  await database.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('the embedded database', () => {
  it('finds the cluster npm install prepared, and fills a new folder from it', async () => {
    expect(existsSync(join(templatePath(), 'PG_VERSION'))).toBe(true);
    const rows = await database.withSession((session) =>
      session.query<{ one: number }>('SELECT 1 AS one'),
    );
    expect(rows.rows).toEqual([{ one: 1 }]);
    expect(existsSync(join(scratch, 'data', 'PG_VERSION'))).toBe(true);
  }, 120_000);

  it('runs with 8 MB of shared buffers instead of PGlite’s 160 MB', async () => {
    const { rows } = await database.withSession((session) =>
      session.query<{ shared_buffers: string }>('SHOW shared_buffers'),
    );
    expect(rows[0]?.shared_buffers).toBe('8MB');
  }, 60_000);

  it('copies the cluster again over a copy that was cut short (no PG_VERSION yet)', async () => {
    // What a crash in the middle of the copy leaves: some of the files, PG_VERSION (copied last) not.
    const cut = join(scratch, 'cut-short');
    mkdirSync(join(cut, 'base'), { recursive: true });
    writeFileSync(join(cut, 'postgresql.conf'), '# half written');
    writeFileSync(join(cut, 'base', 'garbage'), 'not a relation');
    const pglite = await startPGlite(cut);
    try {
      const { rows } = await pglite.query<{ tables: number }>(
        "SELECT count(*)::int AS tables FROM pg_class WHERE relname = 'pg_class'",
      );
      expect(rows).toEqual([{ tables: 1 }]);
      expect(existsSync(join(cut, 'PG_VERSION'))).toBe(true);
    } finally {
      await pglite.close();
    }
  }, 120_000);
});
