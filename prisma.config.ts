import { defineConfig } from 'prisma/config';

// Used by the Prisma CLI only. The application reads its configuration through src/infra/env.ts.
// `migrate dev` needs a real PostgreSQL server; the embedded database is never a migrate target.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: {
    path: 'prisma/migrations',
    seed: 'tsx prisma/seed.ts',
  },
  datasource: {
    url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/storygraph_dev',
  },
});
