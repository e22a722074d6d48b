// `prisma db seed` entry (see prisma.config.ts): the same seeding as `npm run db:seed`.
import { openDatabase } from '../src/infra/db.ts';
import { seedIfEmpty } from '../src/story/seed.ts';

const database = openDatabase();
const report = await seedIfEmpty(database.prisma);
console.info(report.events ? `seeded the story (${report.events} events)` : 'nothing seeded');
await database.close();
