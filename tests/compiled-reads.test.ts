// Compiled reads answer exactly what Prisma answers for the same arguments: same rows, same order,
// same values and types (Dates, JSON, enums, lists, nulls), on the seeded story.
import { describe, expect, it } from 'vitest';
import { compileRead, createReads } from '../src/infra/compiled-reads.ts';
import { db, testDatabase } from './helpers/database.ts';

const reads = () => createReads(testDatabase());
const prisma = (model: string) =>
  (db as unknown as Record<string, { findMany(a: object): Promise<unknown[]> }>)[
    `${model[0]?.toLowerCase()}${model.slice(1)}`
  ] as { findMany(a: object): Promise<unknown[]>; findUnique(a: object): Promise<unknown> };

/** The arguments Pothos builds for the benchmark's nested read, and others around it. */
const CASES: [string, string, Record<string, unknown>][] = [
  [
    'articles → leaders → memberships → organization (the nested benchmark read)',
    'Article',
    {
      take: 21,
      skip: 0,
      select: {
        leaderMentions: {
          orderBy: { id: 'asc' },
          take: 6,
          skip: 0,
          select: {
            leader: {
              select: {
                memberships: {
                  orderBy: [{ startedOn: { sort: 'asc', nulls: 'last' } }, { id: 'asc' }],
                  take: 6,
                  skip: 0,
                  include: {
                    organization: {
                      select: {
                        id: true,
                        version: true,
                        createdAt: true,
                        name: true,
                        acronym: true,
                      },
                    },
                  },
                },
                id: true,
                name: true,
              },
            },
            id: true,
          },
        },
        id: true,
        version: true,
        createdAt: true,
        updatedAt: true,
        headline: true,
      },
      where: {},
      orderBy: [{ publishedAt: 'desc' }, { id: 'desc' }],
    },
  ],
  [
    'whole rows (include), JSON columns, counts',
    'Article',
    {
      include: {
        summitMentions: { orderBy: { id: 'desc' }, include: { summit: true } },
        _count: { select: { leaderMentions: true, organizationMentions: true } },
      },
      orderBy: [{ headline: 'asc' }, { id: 'asc' }],
      take: 3,
    },
  ],
  [
    'a nullable to-one relation, dates, enums and lists, nulls first',
    'Summit',
    {
      select: {
        id: true,
        name: true,
        startsOn: true,
        endsOn: true,
        status: true,
        organizer: { select: { name: true, memberStates: true, kind: true } },
      },
      orderBy: [{ endsOn: { sort: 'desc', nulls: 'first' } }, { id: 'asc' }],
      skip: 1,
    },
  ],
  [
    'an equality filter',
    'Leader',
    {
      where: { AND: [{ country: 'China' }] },
      orderBy: { id: 'asc' },
      include: { mentions: { orderBy: { id: 'asc' } } },
    },
  ],
];

describe('compiled reads', () => {
  for (const [label, model, args] of CASES) {
    it(`answer as Prisma does: ${label}`, async () => {
      expect(compileRead(model, args)).not.toBeNull();
      const expected = await prisma(model).findMany(args);
      expect(expected.length).toBeGreaterThan(0);
      expect(await reads().findMany(model, args)).toEqual(expected);
    });
  }

  it('find one by a unique field, or null', async () => {
    const args = {
      where: { slug: 'xi-jinping' },
      select: { name: true, title: true, updatedAt: true },
    };
    const expected = await prisma('Leader').findUnique(args);
    expect(expected).not.toBeNull();
    expect(await reads().findUnique('Leader', args)).toEqual(expected);
    expect(await reads().findUnique('Leader', { where: { slug: 'nobody' } })).toBeNull();
  });

  it('leave to Prisma what they do not compile, with the same answer', async () => {
    const outside: [string, Record<string, unknown>][] = [
      ['a cursor', { cursor: { id: 2 }, take: 2, orderBy: { id: 'asc' } }],
      ['a backwards page', { take: -2, orderBy: { id: 'asc' } }],
      ['a relation filter', { where: { mentions: { some: { articleId: 1 } } } }],
      ['a list relation without an order', { include: { memberships: true } }],
      ['a text search', { where: { name: { contains: 'Xi' } } }],
    ];
    for (const [label, args] of outside) {
      expect(compileRead('Leader', args), label).toBeNull();
      expect(await reads().findMany('Leader', args), label).toEqual(
        await prisma('Leader').findMany(args),
      );
    }
  });
});
