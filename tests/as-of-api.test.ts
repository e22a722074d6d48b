// `asOf` through the API: at the head a snapshot answers every field of every type it reaches
// exactly as the plain reads do, without reading a story table; every bad point is BAD_USER_INPUT
// with the head; a time before the first event is the empty story; and every field of a
// snapshot-reachable type either has a snapshot resolver or reads only its parent (checked when
// the schema is built). The fold below the head is tested by tests/as-of-fold.test.ts.
import { join } from 'node:path';
import { GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { encodeEventCursor } from '../src/live/events.ts';
import { schema } from '../src/schema/index.ts';
import {
  resolveFromSnapshots,
  snapshotResolverOf,
  snapshotTypes,
} from '../src/schema/snapshot-resolvers.ts';
import { testApp, tokenFor } from './helpers/app.ts';
import { db } from './helpers/database.ts';
import { errorCodes, execute } from './helpers/graphql.ts';
import { FIXTURES_DIR, readLabelledArticles } from './helpers/ingest-fixtures.ts';
import { recordSql } from './helpers/sql-recorder.ts';

// Where snapshots come from: the fold (the real source), or the tables as the database holds them
// (exact to the millisecond, which the fold's createdAt and updatedAt are not: see as-of-fold).
const source = vi.hoisted(() => ({ fromDatabase: true }));
vi.mock('../src/story/as-of/source.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/story/as-of/source.ts')>();
  const { tablesFromDatabase } = await import('../src/story/as-of/tables.ts');
  return {
    ...real,
    storyAsOf: async (client: typeof db, sequence: number) =>
      source.fromDatabase
        ? {
            sequence,
            occurredAt: (await client.storyEvent.findUnique({ where: { sequence } }))?.occurredAt,
            tables: await tablesFromDatabase(client),
          }
        : real.storyAsOf(client, sequence),
  };
});

// The comparison query selects every field of every type: room for its tokens and depth (its
// cost stays under the server's limit).
const app = testApp({ limits: { maxTokens: 20_000, maxDocumentChars: 100_000, maxDepth: 30 } });
let editor: string;
const HEAD_TIME = '2099-01-01T00:00:00Z';

const SPAN = 'start end text';
const RANGE = 'from to precision';
const PAGE = 'pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount';
const VERSIONED = 'id version createdAt updatedAt';
const HISTORY = `history(first: 3) { ${PAGE.replace(' totalCount', '')} edges { cursor node {
  cursor sequence kind label entity entityType entityId entityVersion
  changes { field before after } relatedIds actorRole occurredAt node { id }
} } }`;
const REF = '__typename ... on Node { id }';
const FRAGMENTS = `
fragment M on Membership { ${VERSIONED} role startedOn startedOnPrecision endedOn endedOnPrecision
  leader { id slug } organization { id slug } }
fragment P on Participation { ${VERSIONED} status note leader { id slug } summit { id slug } }
fragment C on Claim { id kind cameoCode modality when { ${RANGE} } place confidence rank
  article { id slug } occurrence { id slug } participants { ${REF} } partOf { ${REF} }
  attributedTo { source { name kind } span { ${SPAN} } inHeadline }
  evidence { span { ${SPAN} } exact prefix suffix inHeadline } }
fragment L on Leader { ${VERSIONED} slug name aliases title country description
  memberships { ${PAGE} edges { cursor node { ...M } } }
  participations { ${PAGE} edges { cursor node { ...P } } }
  confirmed: participations(status: [CONFIRMED]) { totalCount edges { node { id } } }
  mentions { ${PAGE} edges { cursor node { spans { ${SPAN} } article { id slug } leader { id } } } }
  occurrences { id slug } ${HISTORY} }
fragment O on Organization { ${VERSIONED} slug name acronym kind description memberStates
  memberships(first: 2) { ${PAGE} edges { cursor node { ...M } } }
  summits { ${PAGE} edges { cursor node { id slug } } }
  mentions { ${PAGE} edges { cursor node { spans { ${SPAN} } article { id } organization { id } } } }
  ${HISTORY} }
fragment S on Summit { ${VERSIONED} slug name city country startsOn startsOnPrecision endsOn
  endsOnPrecision status description organizer { id slug memberStates }
  participants { ${PAGE} edges { cursor node { ...P leader { name } } } }
  mentions { ${PAGE} edges { cursor node { spans { ${SPAN} } article { id headline } summit { id } } } }
  occurrences { id slug } ${HISTORY} }
fragment A on Article { ${VERSIONED} slug headline summary body source url publishedAt
  leaders { ${PAGE} edges { cursor node { spans { ${SPAN} } leader { id slug } article { id } } } }
  organizations { ${PAGE} edges { cursor node { spans { ${SPAN} } organization { id } } } }
  summits { ${PAGE} edges { cursor node { spans { ${SPAN} } summit { id } } } }
  mentions(first: 5) { totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { entity { ${REF} } spans { ${SPAN} } matchedBy } } }
  claims { ...C }
  timeExpressions { text start end from to precision }
  attributions { source { name kind } span { ${SPAN} } inHeadline }
  quotes { text start end } proposals { text kind spans { ${SPAN} } } ${HISTORY} }
fragment Occ on Occurrence { ${VERSIONED} slug kind cameoCode status when { ${RANGE} }
  previousWhen { ${RANGE} } place partOf { ${REF} ... on Summit { name } }
  participants { entity { ${REF} } role }
  claims { ${PAGE} edges { cursor node { ...C } } }
  normal: claims(rank: [NORMAL], first: 1) { ${PAGE} edges { cursor node { id } } }
  sourceCount conflicts { field claims { id } } ${HISTORY} }`;

/** The fragment of each list's type. */
const FRAGMENT_OF: Record<string, string> = {
  leaders: 'L',
  organizations: 'O',
  summits: 'S',
  articles: 'A',
  occurrences: 'Occ',
  claims: 'C',
  memberships: 'M',
  participations: 'P',
};

/** Each fragment with those it spreads, so a document carries exactly the ones it uses. */
const FRAGMENT_TEXT = Object.fromEntries(
  FRAGMENTS.split(/(?=fragment )/)
    .filter((text) => text.trim())
    .map((text) => [/fragment (\w+)/.exec(text)?.[1], text]),
) as Record<string, string>;
const SPREADS: Record<string, string[]> = {
  L: ['M', 'P'],
  O: ['M'],
  S: ['P'],
  A: ['C'],
  Occ: ['C'],
  M: [],
  P: [],
  C: [],
};
const fragments = (name: string) =>
  [name, ...(SPREADS[name] ?? [])].map((used) => FRAGMENT_TEXT[used]).join('\n');

/**
 * One document pair per root selection (the server's breadth limit keeps them apart): by slug,
 * `node`, and every entity of each type through `nodes`.
 */
function documents(ids: Record<string, string[]>) {
  const roots: [selection: string, fragment: string, variable: string][] = [
    ['leader(slug: "xi-jinping") { ...L }', 'L', ''],
    ['summit(slug: "sco-summit-samarkand-2022") { ...S }', 'S', ''],
    ['article(slug: "xi-and-putin-to-meet-at-sco-summit") { ...A }', 'A', ''],
    ['occurrence(slug: $occurrence) { ...Occ }', 'Occ', '$occurrence: String!'],
    ['node(id: $first) { __typename id ...S }', 'S', '$first: ID!'],
    ...Object.keys(ids).map(
      (type) =>
        [
          `${type}: nodes(ids: $${type}) { __typename ...${FRAGMENT_OF[type]} }`,
          FRAGMENT_OF[type] as string,
          `$${type}: [ID!]!`,
        ] as [string, string, string],
    ),
  ];
  return roots.map(([selection, fragment, variable]) => {
    const args = variable ? `(${variable})` : '';
    const withPoint = `(${[variable, '$point: StoryPointInput!'].filter(Boolean).join(', ')})`;
    return {
      plain: `query Plain${args} { ${selection} } ${fragments(fragment)}`,
      snapshot: `query Snapshot${withPoint} { asOf(point: $point) { sequence cursor occurredAt ${selection} } } ${fragments(fragment)}`,
    };
  });
}

const TYPES = [
  'leaders',
  'organizations',
  'summits',
  'articles',
  'occurrences',
] as const satisfies readonly string[];

async function everyId(): Promise<Record<string, string[]>> {
  const read = async (query: string) => {
    const result = await execute(app.yoga, query);
    expect(result.errors).toBeUndefined();
    return result.data;
  };
  const lists = await read(
    `{ ${TYPES.map((list) => `${list}(first: 100) { edges { node { id } } }`).join(' ')} }`,
  );
  const ids: Record<string, string[]> = {};
  for (const list of TYPES) ids[list] = lists[list].edges.map((e: any) => e.node.id);
  const nodes = (page: any) => page.edges.map((e: any) => e.node);
  const links = await read(`{ articles(first: 100) { edges { node { claims { id } } } }
    leaders(first: 50) { edges { node { memberships(first: 5) { edges { node { id } } }
      participations(first: 5) { edges { node { id } } } } } } }`);
  ids.claims = nodes(links.articles).flatMap((a: any) => a.claims.map((c: any) => c.id));
  for (const link of ['memberships', 'participations']) {
    ids[link] = nodes(links.leaders).flatMap((l: any) => nodes(l[link]).map((n: any) => n.id));
  }
  for (const list of Object.keys(ids)) {
    expect(ids[list]?.length, list).toBeGreaterThan(0);
    ids[list] = ids[list]?.slice(0, 100) ?? [];
  }
  return ids;
}

let occurrenceSlug: string;

beforeAll(async () => {
  editor = await tokenFor('editor');
  // An ingested article (analysis, claims) and an occurrence made from its proposal.
  const [seed] = readLabelledArticles(() => true, join(FIXTURES_DIR, '..', 'claims'));
  if (!seed) throw new Error('tests/fixtures/claims/seed-xi-putin.txt is missing');
  const ingested = await execute(
    app.yoga,
    `mutation ($input: IngestArticleInput!) {
      ingestArticle(input: $input) { article { id } occurrenceProposals { id } } }`,
    {
      input: {
        headline: seed.headline,
        body: seed.body,
        publishedAt: seed.publishedAt,
        source: 'Wire',
      },
    },
    editor,
  );
  expect(ingested.errors).toBeUndefined();
  const { article, occurrenceProposals } = ingested.data.ingestArticle;
  const accepted = await execute(
    app.yoga,
    `mutation ($input: AcceptOccurrenceProposalInput!) {
      acceptOccurrenceProposal(input: $input) { occurrence { slug } } }`,
    { input: { articleId: article.id, proposalId: occurrenceProposals[0].id } },
    editor,
  );
  expect(accepted.errors).toBeUndefined();
  occurrenceSlug = accepted.data.acceptOccurrenceProposal.occurrence.slug;
});

/** Drops what may differ between the fold and the database (see as-of-fold.test.ts). */
function withoutUnlogged(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutUnlogged);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== 'createdAt' && key !== 'updatedAt')
      .map(([key, inner]) => [key, withoutUnlogged(inner)]),
  );
}

/** Every document pair with its variables. */
async function comparisons() {
  const ids = await everyId();
  const variables = { ...ids, occurrence: occurrenceSlug, first: ids.summits?.[0] };
  return { documents: documents(ids), variables };
}

describe('asOf at the head', () => {
  it('answers every field of every type exactly as the plain reads do', async () => {
    const { documents, variables } = await comparisons();
    const head = await db.storyHead.findUniqueOrThrow({ where: { id: 1 } });
    const last = await db.storyEvent.findUniqueOrThrow({ where: { sequence: head.sequence } });
    const position = {
      sequence: head.sequence,
      cursor: encodeEventCursor(head.sequence),
      occurredAt: last.occurredAt.toISOString(),
    };
    for (const { plain, snapshot } of documents) {
      const expected = await execute(app.yoga, plain, variables);
      expect(expected.errors).toBeUndefined();
      // By time (past the head: the head), by sequence and by cursor: the same snapshot.
      for (const point of [
        { time: HEAD_TIME },
        { sequence: head.sequence },
        { cursor: position.cursor },
      ]) {
        const got = await execute(app.yoga, snapshot, { ...variables, point });
        expect(got.errors).toBeUndefined();
        expect(got.data.asOf).toEqual({ ...position, ...expected.data });
      }
    }
    // The comparison reached the parts that compute: claims, conflicts' input, the analysis.
    const occurrence = await execute(app.yoga, documents[3]?.plain as string, variables);
    expect(occurrence.data.occurrence.claims.totalCount).toBeGreaterThan(0);
    expect(occurrence.data.occurrence.participants.length).toBeGreaterThan(0);
    const article = await execute(app.yoga, documents[2]?.plain as string, variables);
    expect(article.data.article.mentions.totalCount).toBeGreaterThan(0);
  });

  it('answers the same from the fold, but for the times the log does not pin down', async () => {
    const { documents, variables } = await comparisons();
    source.fromDatabase = false;
    try {
      for (const { plain, snapshot } of documents) {
        const expected = await execute(app.yoga, plain, variables);
        const got = await execute(app.yoga, snapshot, { ...variables, point: { time: HEAD_TIME } });
        expect(got.errors).toBeUndefined();
        const { sequence, cursor, occurredAt, ...rest } = got.data.asOf;
        expect(withoutUnlogged(rest)).toEqual(withoutUnlogged(expected.data));
      }
    } finally {
      source.fromDatabase = true;
    }
  });

  it('reads no story table: only the head, the log and the source', async () => {
    const { documents, variables } = await comparisons();
    source.fromDatabase = false;
    try {
      const head = await db.storyHead.findUniqueOrThrow({ where: { id: 1 } });
      const point = { sequence: head.sequence };
      const small = 'query ($point: StoryPointInput!) { asOf(point: $point) { sequence } }';
      await execute(app.yoga, small, { point }); // the source's checkpoint, once per instance
      const bare = await recordSql(() => execute(app.yoga, small, { point }));
      const story =
        /FROM "public"\."(Leader|Organization|Summit|Article|Membership|Participation|Occurrence|Claim|\w+Mention|\w+Participant)"/;
      for (const { snapshot } of documents) {
        const deep = await recordSql(() => execute(app.yoga, snapshot, { ...variables, point }));
        expect(deep.result.errors).toBeUndefined();
        expect(deep.statements.filter((sql) => story.test(sql))).toEqual([]);
        // Beyond the point's own statements, only `history`: one per entity that selects it.
        const histories = deep.statements.filter((sql) => sql.includes('"entityId"'));
        expect(deep.statements.length - histories.length).toBe(bare.statements.length);
      }
      console.info(
        `asOf: ${bare.statements.length} SQL statements for a snapshot, plus one per history`,
      );
    } finally {
      source.fromDatabase = true;
    }
  });
});

const POINT = `query ($point: StoryPointInput!) {
  asOf(point: $point) { sequence cursor occurredAt summit(slug: "sco-summit-samarkand-2022") { id } }
}`;

describe('asOf refuses a bad point, with the head', () => {
  it.each([
    ['no field', {}],
    ['two fields', { sequence: 1, time: HEAD_TIME }],
    ['all three', { sequence: 1, time: HEAD_TIME, cursor: encodeEventCursor(1) }],
    ['a position past the head', { sequence: 1_000_000 }],
    ['a cursor past the head', { cursor: encodeEventCursor(1_000_000) }],
    ['a malformed cursor', { cursor: 'not-a-cursor' }],
    ['an empty cursor', { cursor: '' }],
    ['a negative sequence', { sequence: -1 }],
  ])('%s', async (_name, point) => {
    const head = (await db.storyHead.findUniqueOrThrow({ where: { id: 1 } })).sequence;
    const result = await execute(app.yoga, POINT, { point });
    expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
    expect(result.errors?.[0]?.extensions?.head).toEqual({
      sequence: head,
      cursor: encodeEventCursor(head),
    });
    expect(result.data).toBeNull();
  });

  it('reads a time before the first event as the empty story at 0', async () => {
    const result = await execute(app.yoga, POINT, { point: { time: '1970-01-01T00:00:00Z' } });
    expect(result.errors).toBeUndefined();
    expect(result.data.asOf).toEqual({
      sequence: 0,
      cursor: encodeEventCursor(0),
      occurredAt: null,
      summit: null,
    });
  });

  it('counts in the cost of a query, like any read', async () => {
    // Three nested pages of 100 under a snapshot: over the limit, as under a plain read.
    const page = (field: string, inner: string) =>
      `${field}(first: 100) { edges { node { ${inner} } } }`;
    const costly = `{ asOf(point: { time: "${HEAD_TIME}" }) { summit(slug: "x") { ${page(
      'participants',
      `leader { ${page('participations', `summit { ${page('participants', 'id')} }`)} }`,
    )} } } }`;
    expect(errorCodes(await execute(app.yoga, costly))).toEqual(['QUERY_TOO_COMPLEX']);
  });
});

describe('snapshot resolvers, checked when the schema is built', () => {
  it('give every field of every snapshot-reachable type a snapshot path', () => {
    const types = snapshotTypes(schema);
    for (const name of ['Leader', 'Summit', 'Claim', 'StoryEvent', 'LeaderMention', 'TimeRange']) {
      expect(types).toContain(name);
    }
    const missing: string[] = [];
    for (const name of types) {
      const type = schema.getType(name) as GraphQLObjectType;
      const fields = type.getFields();
      for (const field of Object.values(fields)) {
        const resolver = snapshotResolverOf(name, field, fields);
        if (typeof resolver === 'string') missing.push(`${name}.${field.name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('refuse to build a schema where a reachable field would read the database', () => {
    const Thing = new GraphQLObjectType({
      name: 'Thing',
      fields: { computed: { type: GraphQLString, resolve: () => 'from somewhere' } },
    });
    const built = new GraphQLSchema({
      query: new GraphQLObjectType({
        name: 'StorySnapshot',
        fields: { thing: { type: Thing, resolve: () => ({}) } },
      }),
    });
    expect(() => resolveFromSnapshots(built)).toThrow(/Thing\.computed/);
  });
});
