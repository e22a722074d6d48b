// The timeline: occurrences and summits by when they happen. Its rules as pure functions over
// rows, then through the API on real PostgreSQL: order and ties, each filter (and the same
// answers as the rules in memory), paging forwards and backwards, stability across an edit made
// between pages, the statements a page costs, and bad input.
import { parse } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectedTypes } from '../src/live/response-cache.ts';
import { schema } from '../src/schema/index.ts';
import { encodeGlobalId } from '../src/story/global-id.ts';
import {
  afterCursor,
  applyTimelineFilter,
  compareTimeline,
  decodeTimelineCursor,
  summitWhen,
  type TimelineFilter,
  type TimelineRow,
  timelineCursor,
} from '../src/story/timeline.ts';
import { testApp, tokenFor } from './helpers/app.ts';
import { db } from './helpers/database.ts';
import { errorCodes, execute } from './helpers/graphql.ts';
import { recordSql } from './helpers/sql-recorder.ts';

const day = (d: string) => new Date(`${d}T00:00:00.000Z`);

function row(extra: Partial<TimelineRow> & Pick<TimelineRow, 'id'>): TimelineRow {
  return {
    type: 'Occurrence',
    from: day('2022-09-15'),
    to: day('2022-09-15'),
    precision: 'DAY',
    createdAt: new Date('2022-09-01T10:00:00.000Z'),
    status: 'ANNOUNCED',
    kind: 'MEETING',
    claimCount: 0,
    ...extra,
  };
}

describe('timeline rules (pure)', () => {
  it('orders by from, then finer precision, then creation, then type and id', () => {
    const rows = [
      row({ id: 1, precision: 'MONTH', to: day('2022-09-30') }),
      row({ id: 2, precision: 'WEEK', to: day('2022-09-21') }),
      row({ id: 3, createdAt: new Date('2022-09-02T00:00:00.000Z') }),
      row({ id: 4 }),
      row({ id: 4, type: 'Summit', kind: null }),
      row({ id: 5, from: day('2022-09-14') }),
    ];
    const ids = [...rows].sort(compareTimeline).map((r) => `${r.type}:${r.id}`);
    expect(ids).toEqual([
      'Occurrence:5',
      'Occurrence:4',
      'Summit:4',
      'Occurrence:3',
      'Occurrence:2',
      'Occurrence:1',
    ]);
  });

  it('round-trips a cursor and resumes strictly after its key', () => {
    const key = row({
      id: 7,
      precision: 'PART_OF_YEAR',
      createdAt: new Date('2022-01-02T03:04:05.678Z'),
    });
    const decoded = decodeTimelineCursor(timelineCursor(key));
    expect(decoded).toEqual({
      type: 'Occurrence',
      id: 7,
      from: key.from,
      precision: 'PART_OF_YEAR',
      createdAt: key.createdAt,
    });
    expect(afterCursor(key, decoded)).toBe(false);
    expect(
      afterCursor(row({ id: 8, createdAt: key.createdAt, precision: 'PART_OF_YEAR' }), decoded),
    ).toBe(true);
    for (const bad of [
      '',
      'abc',
      Buffer.from('timeline|2022-13-45|0|x|Occurrence|1').toString('base64'),
    ]) {
      expect(() => decodeTimelineCursor(bad)).toThrow(/not a timeline cursor/);
    }
  });

  it('filters by overlap, kind (summits out), status, mentioning and first report', () => {
    const rows = [
      row({ id: 1, mentions: ['L1'], firstReportedAt: new Date('2022-09-01T00:00:00Z') }),
      row({
        id: 2,
        kind: 'CALL',
        status: 'CANCELLED',
        from: day('2022-10-01'),
        to: day('2022-10-31'),
      }),
      row({ id: 3, type: 'Summit', kind: null, status: 'CONCLUDED', mentions: ['L1'] }),
    ];
    const ids = (filter: TimelineFilter) =>
      rows.filter((r) => applyTimelineFilter([r], filter).length).map((r) => `${r.type}:${r.id}`);
    expect(ids({ from: day('2022-10-31') })).toEqual(['Occurrence:2']);
    expect(ids({ to: day('2022-09-15') })).toEqual(['Occurrence:1', 'Summit:3']);
    expect(ids({ kinds: ['MEETING', 'CALL'] })).toEqual(['Occurrence:1', 'Occurrence:2']);
    expect(ids({ statuses: ['CONCLUDED', 'CANCELLED'] })).toEqual(['Occurrence:2', 'Summit:3']);
    expect(ids({ reportedBefore: new Date('2022-09-01T00:00:01Z') })).toEqual(['Occurrence:1']);
    expect(ids({ reportedBefore: new Date('2022-09-01T00:00:00Z') })).toEqual([]);
    expect(() =>
      applyTimelineFilter(rows, { from: day('2022-02-02'), to: day('2022-02-01') }),
    ).toThrow();
    expect(() => applyTimelineFilter(rows, { statuses: ['SOMEDAY'] })).toThrow(/Unknown status/);
  });

  it('maps summit dates to a range that ends with the period they are known to', () => {
    expect(
      summitWhen({
        startsOn: day('2022-10-01'),
        startsOnPrecision: 'MONTH',
        endsOn: null,
        endsOnPrecision: null,
      }),
    ).toEqual({ from: day('2022-10-01'), to: day('2022-10-31'), precision: 'MONTH' });
    expect(
      summitWhen({
        startsOn: day('2024-01-01'),
        startsOnPrecision: 'YEAR',
        endsOn: null,
        endsOnPrecision: null,
      }),
    ).toEqual({ from: day('2024-01-01'), to: day('2024-12-31'), precision: 'YEAR' });
    expect(
      summitWhen({
        startsOn: day('2022-09-05'),
        startsOnPrecision: 'DAY',
        endsOn: day('2022-09-01'),
        endsOnPrecision: 'MONTH',
      }),
    ).toEqual({ from: day('2022-09-05'), to: day('2022-09-30'), precision: 'MONTH' });
  });
});

const app = testApp();
const { yoga } = app;
const ids = {} as Record<string, string>;
let editor: string;

const ENTRY = `cursor node { when { from to precision } status claimCount
  subject { id __typename ... on Occurrence { slug } ... on Summit { slug } } }`;
const TIMELINE = `query ($filter: TimelineFilter, $first: Int, $after: String, $last: Int, $before: String) {
  timeline(filter: $filter, first: $first, after: $after, last: $last, before: $before) {
    edges { ${ENTRY} } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`;

const timeline = (variables: Record<string, unknown>) => execute(yoga, TIMELINE, variables);
async function slugs(variables: Record<string, unknown> = {}): Promise<string[]> {
  const result = await timeline({ first: 100, ...variables });
  expect(result.errors).toBeUndefined();
  return result.data.timeline.edges.map((edge: any) => edge.node.subject.slug);
}

/** Walks the whole timeline `size` entries a page; `between` runs after each page. */
async function walk(size: number, between: (page: number) => Promise<void> = async () => {}) {
  const seen: string[] = [];
  let after: string | null = null;
  for (let page = 0; page < 50; page += 1) {
    const result = await timeline({ first: size, after });
    expect(result.errors).toBeUndefined();
    const { edges, pageInfo } = result.data.timeline;
    seen.push(...edges.map((edge: any) => edge.node.subject.slug));
    if (!pageInfo.hasNextPage) return seen;
    after = pageInfo.endCursor;
    await between(page);
  }
  throw new Error('the walk did not end');
}

beforeAll(async () => {
  editor = await tokenFor('editor');
  const leader = (slug: string) => db.leader.findUniqueOrThrow({ where: { slug } });
  const [xi, putin, li] = await Promise.all([
    leader('xi-jinping'),
    leader('vladimir-putin'),
    leader('li-zhanshu'),
  ]);
  const sco = await db.summit.findUniqueOrThrow({ where: { slug: 'sco-summit-samarkand-2022' } });
  const scoOrg = await db.organization.findUniqueOrThrow({
    where: { slug: 'shanghai-cooperation-organization' },
  });
  Object.assign(ids, {
    xi: encodeGlobalId('Leader', xi.id),
    li: encodeGlobalId('Leader', li.id),
    sco: encodeGlobalId('Summit', sco.id),
    scoOrg: encodeGlobalId('Organization', scoOrg.id),
  });
  const base = Date.parse('2030-01-01T00:00:00.000Z'); // after the seed's rows were created
  const occurrence = (
    slug: string,
    minute: number,
    when: [string, string, string] | null,
    extra: Record<string, unknown> = {},
    participants = [xi.id, putin.id],
  ) =>
    db.occurrence.create({
      data: {
        slug,
        kind: 'MEETING',
        status: 'ANNOUNCED',
        createdAt: new Date(base + minute * 60_000),
        ...(when
          ? { whenFrom: day(when[0]), whenTo: day(when[1]), whenPrecision: when[2] as never }
          : {}),
        participants: {
          create: participants.map((id, i) => ({
            leaderId: id,
            role: i ? 'COUNTERPART' : 'INITIATOR',
          })),
        },
        ...extra,
      },
    });
  const o1 = await occurrence('o1-day', 1, ['2022-09-15', '2022-09-15', 'DAY'], {
    status: 'CONFIRMED',
    partOfSummitId: sco.id,
  });
  const o2 = await occurrence('o2-week', 0, ['2022-09-15', '2022-09-21', 'WEEK'], {
    kind: 'TALKS',
  });
  await occurrence('o3-month', -1, ['2022-09-15', '2022-09-30', 'MONTH'], { kind: 'CALL' });
  await occurrence('o4-day-later', 2, ['2022-09-15', '2022-09-16', 'DAY'], { kind: 'VISIT' });
  await occurrence('o5-unknown', 3, null);
  await occurrence(
    'o6-signing',
    4,
    ['2022-12-01', '2022-12-01', 'DAY'],
    {
      kind: 'SIGNING',
      status: 'CANCELLED',
    },
    [li.id],
  );
  const article = (slug: string, at: string) =>
    db.article.create({
      data: { slug, headline: slug, source: 'Test wire', publishedAt: new Date(at) },
    });
  const early = await article('early-report', '2022-09-10T08:00:00.000Z');
  const late = await article('late-report', '2022-09-20T08:00:00.000Z');
  const claim = (articleId: number, extra: Record<string, unknown>) =>
    db.claim.create({
      data: {
        articleId,
        kind: 'MEETING',
        modality: 'PLANNED',
        evidenceStart: 0,
        evidenceEnd: 4,
        evidenceExact: 'meet',
        confidence: 0.9,
        ...extra,
      },
    });
  await claim(early.id, { occurrenceId: o1.id });
  await claim(late.id, { occurrenceId: o1.id });
  await claim(late.id, { occurrenceId: o2.id });
  await claim(late.id, { partOfSummitId: sco.id });
});

/** The order the data above makes: by day, then DAY < WEEK < MONTH, then creation. */
const ORDER = [
  'eastern-economic-forum-2022', // 09-05
  'sco-summit-samarkand-2022', // 09-15 DAY, created with the seed
  'o1-day',
  'o4-day-later',
  'o2-week',
  'o3-month',
  'ccp-national-congress-2022', // 10-01 MONTH
  'o6-signing',
];

describe('timeline', () => {
  it('orders by day, then finer precision, then creation; leaves out what has no when', async () => {
    const result = await timeline({ first: 100 });
    expect(result.errors).toBeUndefined();
    const edges = result.data.timeline.edges;
    expect(edges.map((edge: any) => edge.node.subject.slug)).toEqual(ORDER);
    const bySlug = Object.fromEntries(
      edges.map((edge: any) => [edge.node.subject.slug, edge.node]),
    );
    expect(bySlug['o1-day']).toMatchObject({ status: 'CONFIRMED', claimCount: 2 });
    expect(bySlug['o1-day'].subject.__typename).toBe('Occurrence');
    expect(bySlug['sco-summit-samarkand-2022']).toMatchObject({
      status: 'ANNOUNCED',
      claimCount: 1,
      when: { from: '2022-09-15', to: '2022-09-15', precision: 'DAY' },
      subject: { __typename: 'Summit', id: ids.sco },
    });
    expect(bySlug['ccp-national-congress-2022'].when).toEqual({
      from: '2022-10-01',
      to: '2022-10-31',
      precision: 'MONTH',
    });
  });

  it('filters by range, kinds, statuses, mentioning and first report', async () => {
    expect(await slugs({ filter: { from: '2022-09-16', to: '2022-10-01' } })).toEqual([
      'o4-day-later',
      'o2-week',
      'o3-month',
      'ccp-national-congress-2022',
    ]);
    expect(await slugs({ filter: { kinds: ['TALKS', 'SIGNING'] } })).toEqual([
      'o2-week',
      'o6-signing',
    ]);
    expect(
      await slugs({ filter: { statuses: ['CONFIRMED', 'IN_PROGRESS', 'CANCELLED'] } }),
    ).toEqual(['eastern-economic-forum-2022', 'o1-day', 'o6-signing']);
    // Li Zhanshu attends the Eastern Economic Forum in the seed, and signs o6 here.
    expect(await slugs({ filter: { mentioning: ids.li } })).toEqual([
      'eastern-economic-forum-2022',
      'o6-signing',
    ]);
    expect(await slugs({ filter: { mentioning: ids.sco } })).toEqual([
      'sco-summit-samarkand-2022',
      'o1-day',
    ]);
    expect(await slugs({ filter: { mentioning: ids.scoOrg } })).toEqual([
      'sco-summit-samarkand-2022',
    ]);
    // The seed's one article (7 September) mentions all three summits; o1 has a claim from 10 September.
    expect(await slugs({ filter: { reportedBefore: '2022-09-12T00:00:00Z' } })).toEqual([
      'eastern-economic-forum-2022',
      'sco-summit-samarkand-2022',
      'o1-day',
      'ccp-national-congress-2022',
    ]);
    expect(await slugs({ filter: { reportedBefore: '2022-09-07T00:00:00Z' } })).toEqual([]);
    // A summit reported only by a claim that says it is part of it counts too.
    const ccp = await db.summit.findUniqueOrThrow({
      where: { slug: 'ccp-national-congress-2022' },
    });
    const earliest = await db.article.create({
      data: {
        slug: 'earliest-report',
        headline: 'Party congress date set',
        source: 'Test wire',
        publishedAt: new Date('2022-09-01T08:00:00.000Z'),
      },
    });
    await db.claim.create({
      data: {
        articleId: earliest.id,
        partOfSummitId: ccp.id,
        kind: 'MEETING',
        modality: 'PLANNED',
        evidenceStart: 0,
        evidenceEnd: 5,
        evidenceExact: 'Party',
        confidence: 0.8,
      },
    });
    expect(await slugs({ filter: { reportedBefore: '2022-09-02T00:00:00Z' } })).toEqual([
      'ccp-national-congress-2022',
    ]);
  });

  it('gives the same entries as the rules applied in memory, for every filter', async () => {
    const memory = await memoryRows();
    const filters: Record<string, unknown>[] = [
      {},
      { from: '2022-09-16', to: '2022-10-01' },
      { kinds: ['MEETING', 'CALL'] },
      { statuses: ['ANNOUNCED', 'EXPECTED'] },
      { mentioning: ids.xi },
      { mentioning: ids.sco, statuses: ['ANNOUNCED'] },
      { reportedBefore: '2022-09-12T00:00:00Z' },
      { reportedBefore: '2022-09-21T00:00:00Z', from: '2022-09-15' },
    ];
    for (const filter of filters) {
      const inMemory = applyTimelineFilter(memory, {
        ...filter,
        from: filter.from ? day(filter.from as string) : null,
        to: filter.to ? day(filter.to as string) : null,
        reportedBefore: filter.reportedBefore ? new Date(filter.reportedBefore as string) : null,
      } as TimelineFilter);
      const result = await timeline({ first: 100, filter });
      expect(result.errors).toBeUndefined();
      expect(
        result.data.timeline.edges.map((edge: any) => edge.cursor),
        JSON.stringify(filter),
      ).toEqual(inMemory.map(timelineCursor));
    }
  });

  it('pages through every entry two at a time, forwards and backwards, with no repeat or gap', async () => {
    expect(await walk(2)).toEqual(ORDER);
    const last = await timeline({ last: 3 });
    expect(last.data.timeline.edges.map((edge: any) => edge.node.subject.slug)).toEqual(
      ORDER.slice(-3),
    );
    expect(last.data.timeline.pageInfo).toMatchObject({ hasPreviousPage: true });
    const before = await timeline({ last: 2, before: last.data.timeline.pageInfo.startCursor });
    expect(before.data.timeline.edges.map((edge: any) => edge.node.subject.slug)).toEqual(
      ORDER.slice(-5, -3),
    );
    const end = await timeline({ first: 2, after: last.data.timeline.pageInfo.endCursor });
    expect(end.data.timeline.edges).toEqual([]);
    expect(end.data.timeline.pageInfo).toMatchObject({ startCursor: null, endCursor: null });
  });

  it('shows an entry moved later between pages exactly once, and every other entry once', async () => {
    const o2 = await db.occurrence.findUniqueOrThrow({ where: { slug: 'o2-week' } });
    const seen = await walk(2, async (page) => {
      if (page !== 0) return;
      const moved = await execute(
        yoga,
        `mutation ($input: UpdateOccurrenceInput!) { updateOccurrence(input: $input) { occurrence { id } } }`,
        {
          input: {
            id: encodeGlobalId('Occurrence', o2.id),
            expectedVersion: o2.version,
            patch: { when: { from: '2022-11-01', to: '2022-11-07', precision: 'WEEK' } },
          },
        },
        editor,
      );
      expect(moved.errors).toBeUndefined();
    });
    const now = ORDER.filter((slug) => slug !== 'o2-week');
    now.splice(now.indexOf('o6-signing'), 0, 'o2-week');
    expect(seen).toEqual(now);
    expect(await slugs()).toEqual(now);
  });

  it('costs the same statements for a page of 2 as for a page of 8', async () => {
    const small = await recordSql(() => timeline({ first: 2 }));
    const large = await recordSql(() => timeline({ first: 8 }));
    expect(small.result.errors).toBeUndefined();
    expect(large.result.data.timeline.edges).toHaveLength(8);
    // The page, then one statement per type of subject on it.
    expect(large.statements.length).toBe(3);
    expect(small.statements.length).toBeLessThanOrEqual(large.statements.length);
  });

  it('is dropped from the response cache by a change to anything, subjects selected or not', () => {
    const types = selectedTypes(schema, parse('{ timeline { edges { node { status } } } }'));
    expect(types).toEqual(expect.arrayContaining(['Occurrence', 'Summit', 'Claim', 'Article']));
  });

  it('refuses bad input with BAD_USER_INPUT', async () => {
    const article = await db.article.findFirstOrThrow();
    const bad: Record<string, unknown>[] = [
      { first: 5, filter: { from: '2022-10-02', to: '2022-10-01' } },
      { first: 5, filter: { mentioning: 'nope' } },
      { first: 5, filter: { mentioning: encodeGlobalId('Article', article.id) } },
      { first: 5, filter: { mentioning: encodeGlobalId('Leader', 999_999) } },
      { first: 5, filter: { statuses: ['SOMEDAY'] } },
      { first: 5, after: 'not-a-cursor' },
      { first: 5, after: '' },
      { last: 5, before: '' },
      { first: 5, after: Buffer.from('storyEvent:3').toString('base64') },
      { first: 101 },
      { last: 101 },
      { first: -1 },
    ];
    for (const variables of bad) {
      const result = await timeline(variables);
      expect(errorCodes(result), JSON.stringify(variables)).toEqual(['BAD_USER_INPUT']);
      expect(result.data?.timeline ?? null).toBeNull();
    }
  });
});

/** Every entry as an in-memory fold would hold it, with what the filters read. */
async function memoryRows(): Promise<TimelineRow[]> {
  const firstOf = (dates: Date[]) =>
    dates.length ? new Date(Math.min(...dates.map((d) => d.getTime()))) : null;
  const occurrences = await db.occurrence.findMany({
    where: { whenFrom: { not: null } },
    include: { participants: true, claims: { include: { article: true } } },
  });
  const summits = await db.summit.findMany({
    include: {
      participations: true,
      mentions: { include: { article: true } },
      claimsPartOf: { include: { article: true } },
    },
  });
  return [
    ...occurrences.map((o) => ({
      type: 'Occurrence' as const,
      id: o.id,
      from: o.whenFrom as Date,
      to: o.whenTo as Date,
      precision: o.whenPrecision ?? 'DAY',
      createdAt: o.createdAt,
      status: o.status,
      kind: o.kind,
      claimCount: o.claims.length,
      mentions: [
        ...o.participants.map((p) =>
          p.leaderId
            ? encodeGlobalId('Leader', p.leaderId)
            : encodeGlobalId('Organization', p.organizationId as number),
        ),
        ...(o.partOfSummitId ? [encodeGlobalId('Summit', o.partOfSummitId)] : []),
      ],
      firstReportedAt: firstOf(o.claims.map((c) => c.article.publishedAt)),
    })),
    ...summits.map((s) => ({
      type: 'Summit' as const,
      id: s.id,
      ...summitWhen(s),
      createdAt: s.createdAt,
      status: s.status,
      kind: null,
      claimCount: s.claimsPartOf.length,
      mentions: [
        encodeGlobalId('Summit', s.id),
        ...(s.organizerId ? [encodeGlobalId('Organization', s.organizerId)] : []),
        ...s.participations.map((p) => encodeGlobalId('Leader', p.leaderId)),
      ],
      firstReportedAt: firstOf([
        ...s.mentions.map((m) => m.article.publishedAt),
        ...s.claimsPartOf.map((c) => c.article.publishedAt),
      ]),
    })),
  ];
}
