// `npm run db:migrate` and `npm run db:seed`: each step of start-up alone, on the configured database.
import { ConfigError, getEnv } from '../src/infra/env.ts';

const command = process.argv[2];
if (command !== 'migrate' && command !== 'seed') {
  console.error('usage: tsx scripts/db.ts migrate|seed');
  process.exit(2);
}

try {
  getEnv();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}

const { openDatabase } = await import('../src/infra/db.ts');
const database = openDatabase();
try {
  if (command === 'migrate') {
    const { migrate } = await import('../src/infra/migrate.ts');
    const report = await migrate(database);
    for (const name of report.applied) console.info(`applied ${name}`);
    console.info(
      `${database.kind} database at ${database.location}: ${report.applied.length} applied, ${report.alreadyApplied.length} already applied`,
    );
  } else {
    const { seedIfEmpty } = await import('../src/story/seed.ts');
    const report = await seedIfEmpty(database.prisma);
    console.info(
      report.events
        ? `${database.kind} database at ${database.location}: seeded the story (${report.events} events)`
        : `${database.kind} database at ${database.location}: the story is not empty; nothing seeded`,
    );
  }
  await database.close();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  await database.close().catch(() => {});
  process.exit(1);
}
