// The test file's own database (the private copy database-per-file.ts made), opened on first use
// and closed after the file. Apps the tests start are handed it, as main.ts hands the server its
// database; tests that read or write rows directly use `db`, its Prisma client.

import type { PrismaClient } from '../../src/generated/prisma/client.ts';
import { type Database, openPostgres } from '../../src/infra/db.ts';

let opened: Database | undefined;

/** The file's database. */
export function testDatabase(): Database {
  opened ??= openPostgres(process.env.DATABASE_URL as string, 10, true);
  return opened;
}

/** The file's Prisma client, for tests that read or write rows directly. */
export const db: PrismaClient = new Proxy({} as PrismaClient, {
  get(_target, key) {
    const client = testDatabase().prisma;
    const value = Reflect.get(client, key, client);
    return typeof value === 'function' ? value.bind(client) : value;
  },
});

/** Closes the file's database, if it was opened (database-per-file.ts calls it after the file). */
export async function closeTestDatabase(): Promise<void> {
  const current = opened;
  opened = undefined;
  await current?.close();
}
