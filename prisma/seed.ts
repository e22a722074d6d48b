// `prisma db seed` entry (see prisma.config.ts): the same seeding as `npm run db:seed`.
import { database } from '../src/db.ts';
import { seedStory } from '../src/story/seed.ts';

const report = await seedStory(database.prisma);
console.info(`${report.created} row(s) created`);
await database.close();
