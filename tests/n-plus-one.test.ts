import { beforeAll, describe, expect, it } from 'vitest';
import { QUERY_NESTED } from '../bench/queries.ts';
import { testApp, tokenFor } from './helpers/app.ts';
import { db } from './helpers/database.ts';
import { execute } from './helpers/graphql.ts';
import { recordSql } from './helpers/sql-recorder.ts';

const { yoga } = testApp();

// 120 more articles, each mentioning a leader with two memberships: enough rows that a resolver
// querying once per parent would show up as 20 vs 100 extra statements.
beforeAll(async () => {
  const sco = await db.organization.findUniqueOrThrow({
    where: { slug: 'shanghai-cooperation-organization' },
  });
  const nato = await db.organization.findUniqueOrThrow({ where: { slug: 'nato' } });
  for (let i = 0; i < 120; i += 1) {
    await db.leader.create({
      data: {
        slug: `test-leader-${i}`,
        name: `Test Leader ${i}`,
        title: 'Minister',
        country: 'Testland',
        memberships: {
          create: [
            { organizationId: sco.id, role: 'Observer' },
            { organizationId: nato.id, role: 'Observer' },
          ],
        },
        mentions: {
          create: {
            article: {
              create: {
                slug: `test-article-${i}`,
                headline: `Test article ${i}`,
                source: 'Test wire',
                publishedAt: new Date(Date.UTC(2022, 8, 1, 0, i)),
              },
            },
          },
        },
      },
    });
  }
});

describe('nested reads', () => {
  it('send the same number of SQL statements for 20 and 100 articles', async () => {
    const small = await recordSql(() => execute(yoga, QUERY_NESTED, { first: 20 }));
    const large = await recordSql(() => execute(yoga, QUERY_NESTED, { first: 100 }));
    expect(small.result.errors).toBeUndefined();
    expect(large.result.errors).toBeUndefined();
    expect(small.result.data.articles.edges).toHaveLength(20);
    expect(large.result.data.articles.edges).toHaveLength(100);
    const someLeader = large.result.data.articles.edges[50].node.leaders.edges[0].node.leader;
    expect(someLeader.memberships.edges.map((edge: any) => edge.node.organization.acronym)).toEqual(
      ['SCO', 'NATO'],
    );
    expect(small.statements.length).toBeGreaterThan(0);
    expect(large.statements.length).toBe(small.statements.length);
    // Prisma's relation joins load the whole tree (articles, mentions, leaders, memberships,
    // organizations) in one statement.
    expect(large.statements.length).toBe(1);
    console.info(
      `nested query: ${small.statements.length} SQL statements for 20 articles, ${large.statements.length} for 100`,
    );
  });

  it('loads search hits with one statement per matched type, however many hits', async () => {
    const SEARCH = `query ($query: String!) {
      search(query: $query, first: 100) { __typename ... on Leader { name } ... on Article { headline } }
    }`;
    // 120 test leaders rank above the 120 test articles for "test"; only articles match "article".
    for (const [query, type] of [
      ['test', 'Leader'],
      ['article', 'Article'],
    ]) {
      const { result, statements } = await recordSql(() => execute(yoga, SEARCH, { query }));
      expect(result.errors).toBeUndefined();
      expect(result.data.search).toHaveLength(100);
      expect(new Set(result.data.search.map((hit: any) => hit.__typename))).toEqual(
        new Set([type]),
      );
      // The ranking query, then one statement for the rows of the matched type.
      expect(statements).toHaveLength(2);
      // Only the columns asked for: no article bodies.
      expect(statements.join('\n')).not.toContain('"body"');
    }
  });

  it('loads the contract summit query in a fixed number of statements', async () => {
    const { result, statements } = await recordSql(() =>
      execute(
        yoga,
        '{ summit(slug: "sco-summit-samarkand-2022") { name city startsOn participants { edges { node { leader { name } status } } } } }',
      ),
    );
    expect(result.errors).toBeUndefined();
    expect(statements.length).toBe(1);
    console.info(`summit query: ${statements.length} SQL statements`);
  });

  it('writes an edit in two statements: the row with its links, then the update with its event', async () => {
    const { summit } = (
      await execute(yoga, '{ summit(slug: "sco-summit-samarkand-2022") { id version } }')
    ).data;
    const token = await tokenFor('editor');
    const { result, statements } = await recordSql(() =>
      execute(
        yoga,
        'mutation ($input: UpdateSummitInput!) { updateSummit(input: $input) { summit { version } } }',
        {
          input: {
            id: summit.id,
            expectedVersion: summit.version,
            patch: { description: 'Counted.' },
          },
        },
        token,
      ),
    );
    expect(result.errors).toBeUndefined();
    expect(result.data.updateSummit.summit.version).toBe(summit.version + 1);
    // No transaction to open or commit: the second statement is atomic on its own.
    expect(statements.map((sql) => sql.trim().split(/\s/)[0])).toEqual(['SELECT', 'WITH']);
    // The event's links come from that first read: the summit's participants are in it.
    const [event] = (
      await execute(
        yoga,
        '{ storyEvents(last: 1) { edges { node { entityId relatedIds changes { field after } } } } }',
      )
    ).data.storyEvents.edges.map((edge: any) => edge.node);
    expect(event.entityId).toBe(summit.id);
    expect(event.changes).toEqual([{ field: 'description', after: 'Counted.' }]);
    expect(event.relatedIds.length).toBeGreaterThan(2);
  });
});
