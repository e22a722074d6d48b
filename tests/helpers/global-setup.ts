import type { TestProject } from 'vitest/node';
import { ADMIN_URL, admin, SCRATCH_PREFIX, urlFor } from './postgres.ts';

/**
 * Creates one migrated, seeded template database per run. Each test file then clones it
 * (`database-per-file.ts`), so files run in parallel without seeing each other's writes.
 */
export default async function setup(project: TestProject) {
  const template = `${SCRATCH_PREFIX}${process.pid}_template`;
  try {
    await admin((client) =>
      client
        .query(`DROP DATABASE IF EXISTS ${template}`)
        .then(() => client.query(`CREATE DATABASE ${template}`)),
    );
  } catch (error) {
    throw new Error(
      `Tests need PostgreSQL at ${ADMIN_URL} (set TEST_ADMIN_DATABASE_URL to use another): ${(error as Error).message}`,
    );
  }
  const templateUrl = urlFor(template);
  const { openPostgres } = await import('../../src/infra/db.ts');
  const { migrate } = await import('../../src/infra/migrate.ts');
  const { seedIfEmpty } = await import('../../src/story/seed.ts');
  const database = openPostgres(templateUrl, 2);
  await migrate(database);
  await seedIfEmpty(database.prisma);
  await database.close();
  project.provide('templateDatabase', template);

  return async () => {
    await admin(async (client) => {
      const { rows } = await client.query<{ datname: string }>(
        'SELECT datname FROM pg_database WHERE datname LIKE $1',
        [`${SCRATCH_PREFIX}${process.pid}_%`],
      );
      for (const { datname } of rows) {
        await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
      }
    });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabase: string;
  }
}
