import { brandWithType } from '@pothos/core';
import { queryFromInfo } from '@pothos/plugin-prisma';
import { z } from 'zod';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { NodeType } from '../story/registry.ts';
import { Article } from './article.ts';
import { builder } from './builder.ts';
import { Leader } from './leader.ts';
import { Organization } from './organization.ts';
import { Summit } from './summit.ts';

const SearchResult = builder.unionType('SearchResult', {
  description: 'Anything `search` can find.',
  types: [Leader, Organization, Summit, Article],
});

interface Hit {
  type: NodeType;
  id: number;
  rank: number;
}

// Names are matched without stemming ('simple'), so "Xi" never becomes something else; article text
// is matched in English, so "meeting" finds "meet". Headlines weigh more than bodies. The documents
// are generated columns with GIN indexes (see the search_documents migration, which holds the
// expressions and weights), so a query reads the indexes instead of building a tsvector per row.
const SEARCH_SQL = `
WITH q AS (
  SELECT websearch_to_tsquery('simple', $1) AS names, websearch_to_tsquery('english', $1) AS prose
)
SELECT * FROM (
  SELECT 'Leader' AS type, l.id, ts_rank(l."searchDocument", q.names) * 2 AS rank
  FROM "Leader" l, q WHERE l."searchDocument" @@ q.names
  UNION ALL
  SELECT 'Organization', o.id, ts_rank(o."searchDocument", q.names) * 2
  FROM "Organization" o, q WHERE o."searchDocument" @@ q.names
  UNION ALL
  SELECT 'Summit', s.id, ts_rank(s."searchDocument", q.names) * 1.5
  FROM "Summit" s, q WHERE s."searchDocument" @@ q.names
  UNION ALL
  SELECT 'Article', a.id, ts_rank(a."searchDocument", q.prose)
  FROM "Article" a, q WHERE a."searchDocument" @@ q.prose
) hits
ORDER BY rank DESC, type, id
LIMIT $2`;

/**
 * Loads the rows of the hits, one statement per type that has any, selecting what the client asked
 * for on that member of the union (`queryFromInfo`). Rows loaded this way are the ones Pothos'
 * select mode trusts; plain rows would be fetched again, one statement per hit.
 */
async function loadHits(
  db: PrismaClient,
  hits: Hit[],
  queryFor: (type: Hit['type']) => Record<string, unknown>,
): Promise<object[]> {
  const idsOf = (type: Hit['type']) => hits.filter((hit) => hit.type === type).map((hit) => hit.id);
  // A type with no hit costs no query.
  const load = <Row>(type: Hit['type'], find: (args: never) => Promise<Row[]>) => {
    const ids = idsOf(type);
    return ids.length
      ? find({ ...queryFor(type), where: { id: { in: ids } } } as never)
      : Promise.resolve([] as Row[]);
  };
  const [leaders, organizations, summits, articles] = (await Promise.all([
    load('Leader', (args) => db.leader.findMany(args)),
    load('Organization', (args) => db.organization.findMany(args)),
    load('Summit', (args) => db.summit.findMany(args)),
    load('Article', (args) => db.article.findMany(args)),
  ])) as { id: number }[][];
  const byKey = new Map<string, object>();
  for (const [type, rows] of [
    ['Leader', leaders],
    ['Organization', organizations],
    ['Summit', summits],
    ['Article', articles],
  ] as const) {
    for (const row of rows ?? []) {
      brandWithType(row, type as never);
      byKey.set(`${type}:${row.id}`, row);
    }
  }
  // A row deleted between the two queries is simply left out.
  return hits.flatMap((hit) => byKey.get(`${hit.type}:${hit.id}`) ?? []);
}

builder.queryField('search', (t) =>
  t.field({
    type: [SearchResult],
    description:
      'Full-text search over leaders (names and aliases), organizations, summits and articles, best match first. Accepts web-search syntax: quotes for phrases, `or`, and `-` to exclude.',
    args: {
      query: t.arg.string({
        required: true,
        description: 'What to look for, such as `Putin` or `"Belt and Road"`.',
        validate: z.string().trim().min(1, 'The search query is empty.').max(200),
      }),
      first: t.arg.int({
        defaultValue: 20,
        description: 'How many results at most (1 to 100).',
        validate: z.number().int().min(1).max(100),
      }),
    },
    resolve: async (_root, args, context, info) => {
      const { db } = context;
      const hits = await db.$queryRawUnsafe<Hit[]>(SEARCH_SQL, args.query, args.first ?? 20);
      return loadHits(db, hits, (typeName) => queryFromInfo({ context, info, typeName })) as never;
    },
  }),
);
