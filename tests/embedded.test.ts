import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openEmbedded } from '../src/db.ts';
import { templatePath } from '../src/embedded.ts';

// How the embedded database is opened (src/embedded.ts; numbers from `npm run measure:embedded`).
const scratch = mkdtempSync(join(tmpdir(), 'storygraph-embedded-'));
const database = openEmbedded(join(scratch, 'data'));

afterAll(async () => {
  await database.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('the embedded database', () => {
  it('finds the cluster npm install prepared, and fills a new folder from it', async () => {
    expect(existsSync(templatePath())).toBe(true);
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
});
