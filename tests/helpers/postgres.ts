import pg from 'pg';

/** The server tests create their scratch databases on. */
export const ADMIN_URL =
  process.env.TEST_ADMIN_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

/**
 * Every scratch database name starts with this, so a crashed run's leftovers can be found; set
 * `TEST_DB_PREFIX` to keep two checkouts' runs apart on one server.
 */
export const SCRATCH_PREFIX = process.env.TEST_DB_PREFIX ?? 'storygraph_test_';
if (!/^[a-z_][a-z0-9_]{0,30}$/.test(SCRATCH_PREFIX)) {
  throw new Error('TEST_DB_PREFIX must be lowercase letters, digits and underscores.');
}

/** A URL on the admin server for the database `name`. */
export function urlFor(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Runs statements on the admin database with a short-lived connection. */
export async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
