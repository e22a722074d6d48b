// Reading occurrences with their participants: the number of SQL statements a list costs does
// not grow with the list, wherever the list comes from (the `occurrences` connection, a leader's
// or a summit's occurrences, the timeline's subjects).
import { beforeAll, describe, expect, it } from 'vitest';
import { testApp } from './helpers/app.ts';
import { db } from './helpers/database.ts';
import { execute } from './helpers/graphql.ts';
import { recordSql } from './helpers/sql-recorder.ts';

const { yoga } = testApp();

// 60 occurrences of three participants each (two leaders, one organization), all part of one
// summit: a resolver querying once per occurrence would show up as 10 against 60 statements.
beforeAll(async () => {
  const xi = await db.leader.findUniqueOrThrow({ where: { slug: 'xi-jinping' } });
  const putin = await db.leader.findUniqueOrThrow({ where: { slug: 'vladimir-putin' } });
  const sco = await db.organization.findUniqueOrThrow({
    where: { slug: 'shanghai-cooperation-organization' },
  });
  const summit = await db.summit.findUniqueOrThrow({
    where: { slug: 'sco-summit-samarkand-2022' },
  });
  for (let i = 0; i < 60; i += 1) {
    await db.occurrence.create({
      data: {
        slug: `read-test-${i}`,
        kind: 'MEETING',
        status: 'ANNOUNCED',
        whenFrom: new Date(Date.UTC(2022, 8, 1 + (i % 28))),
        whenTo: new Date(Date.UTC(2022, 8, 1 + (i % 28))),
        whenPrecision: 'DAY',
        partOfSummitId: summit.id,
        participants: {
          create: [
            { leaderId: xi.id, role: 'HOST' },
            { leaderId: putin.id, role: 'GUEST' },
            { organizationId: sco.id, role: 'COUNTERPART' },
          ],
        },
      },
    });
  }
});

const PARTICIPANTS = `participants { role entity { __typename id ... on Leader { name } ... on Organization { acronym } } }`;

const LISTS: [string, string, (data: any) => any[]][] = [
  [
    'the occurrences connection',
    `query ($first: Int!) { occurrences(first: $first, filter: { from: "2022-09-01" }) { edges { node { slug ${PARTICIPANTS} } } } }`,
    (data) => data.occurrences.edges.map((edge: any) => edge.node),
  ],
  [
    "a leader's occurrences",
    `{ leader(slug: "xi-jinping") { occurrences { slug ${PARTICIPANTS} } } }`,
    (data) => data.leader.occurrences,
  ],
  [
    "a summit's occurrences",
    `{ summit(slug: "sco-summit-samarkand-2022") { occurrences { slug ${PARTICIPANTS} } } }`,
    (data) => data.summit.occurrences,
  ],
  [
    "the timeline's subjects",
    `query ($first: Int!) { timeline(first: $first, filter: { kinds: [MEETING] }) { edges { node { subject { ... on Occurrence { slug ${PARTICIPANTS} } } } } } }`,
    (data) => data.timeline.edges.map((edge: any) => edge.node.subject),
  ],
];

describe('occurrences with participants', () => {
  it.each(LISTS)(
    'cost the same statements for 10 and 60 through %s',
    async (_name, query, list) => {
      const read = async (first: number) => {
        const { result, statements } = await recordSql(() => execute(yoga, query, { first }));
        expect(result.errors).toBeUndefined();
        return { rows: list(result.data).filter((row: any) => row?.slug), statements };
      };
      const small = await read(10);
      const large = await read(60);
      expect(small.rows.length).toBeGreaterThanOrEqual(10);
      expect(large.rows.length).toBeGreaterThanOrEqual(60);
      const some = large.rows.find((row: any) => row.slug.startsWith('read-test-'));
      expect(some.participants).toEqual([
        {
          role: 'HOST',
          entity: { __typename: 'Leader', id: expect.any(String), name: 'Xi Jinping' },
        },
        {
          role: 'GUEST',
          entity: { __typename: 'Leader', id: expect.any(String), name: 'Vladimir Putin' },
        },
        {
          role: 'COUNTERPART',
          entity: { __typename: 'Organization', id: expect.any(String), acronym: 'SCO' },
        },
      ]);
      expect(large.statements.length).toBe(small.statements.length);
      // The participants come with the list's own statement; then one batched read of the leaders
      // and one of the organizations fill in the fields asked of them (and, for a leader's list, the
      // leader itself is read first).
      const onePerOccurrence =
        /FROM "public"\."OccurrenceParticipant" AS "t0" WHERE "t0"\."occurrenceId" = \$1/;
      expect(large.statements.filter((sql) => onePerOccurrence.test(sql))).toEqual([]);
      expect(large.statements.length).toBeLessThanOrEqual(4);
    },
  );
});
