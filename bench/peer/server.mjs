// PostGraphile v5 on the benchmark's database, as the peer storygraph is measured against. It is
// configured the way its documentation recommends for production (the Amber preset, simplified
// names, no GraphiQL, no watch mode) with two smart tags, set here and nothing in the database:
// Prisma makes unique indexes rather than constraints, so `slug` is declared unique on Leader (for
// `leaderBySlug`), and `Membership.startedOn` is made orderable (for the same order as storygraph's).
import { createServer } from 'node:http';
import { PgSimplifyInflectionPreset } from '@graphile/simplify-inflection';
import { postgraphile } from 'postgraphile';
import { makePgService } from 'postgraphile/adaptors/pg';
import { grafserv } from 'postgraphile/grafserv/node';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';
import { jsonPgSmartTags } from 'postgraphile/utils';

const SmartTags = jsonPgSmartTags({
  version: 1,
  config: {
    class: { Leader: { tags: { unique: 'slug' } } },
    attribute: { 'Membership.startedOn': { tags: { behavior: '+orderBy' } } },
  },
});

const preset = {
  extends: [PostGraphileAmberPreset, PgSimplifyInflectionPreset],
  plugins: [SmartTags],
  pgServices: [
    makePgService({
      connectionString: process.env.DATABASE_URL,
      schemas: ['public'],
      poolConfig: { max: Number(process.env.DATABASE_POOL_SIZE ?? 10) },
    }),
  ],
  grafserv: { graphqlPath: '/graphql', graphiql: false, watch: false },
  grafast: { explain: false },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
serv.addTo(server).catch((error) => {
  console.error(error);
  process.exit(1);
});
// Build the schema before saying ready, so the first measured request does not pay for it.
await pgl.getSchemaResult();
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.info('peer ready'));
process.on('SIGTERM', async () => {
  server.close();
  await pgl.release();
  process.exit(0);
});
