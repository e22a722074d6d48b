import { randomBytes } from 'node:crypto';
import { afterAll, inject } from 'vitest';
import { admin, urlFor } from './postgres.ts';

// Runs before each test file's own imports: give the file a private copy of the seeded template,
// named by DATABASE_URL (what the server processes a test starts, and tests/helpers/database.ts,
// open).
const template = inject('templateDatabase');
const name = `${template.replace(/_template$/, '')}_${randomBytes(4).toString('hex')}`;
await admin((client) => client.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
process.env.DATABASE_URL = urlFor(name);

afterAll(async () => {
  const { closeTestDatabase } = await import('./database.ts');
  await closeTestDatabase();
  await admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
});
