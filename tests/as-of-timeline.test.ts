// `asOf { timeline }` pages the folded story with the rules `timeline` uses on the database: at
// the head the two list the same entries in the same order under every filter, a walk by pages
// gives the whole list once, and at an earlier position an entry not yet created is absent and a
// moved one stands where it stood.
import { beforeAll, describe, expect, it } from 'vitest';
import { testApp, tokenFor } from './helpers/app.ts';
import { db } from './helpers/database.ts';
import { execute, idsBySlug } from './helpers/graphql.ts';

const ENTRY = 'edges { node { when { from to precision } status claimCount subject { id } } }';
const PAGE = `edges { cursor node { subject { id } } } pageInfo { hasNextPage endCursor }`;

const app = testApp();
let editor: string;
let ids: { xi: string; putin: string; sco: string };
const entries = (connection: { edges: { node: unknown }[] }) => connection.edges.map((e) => e.node);
const head = async () => (await db.storyHead.findUniqueOrThrow({ where: { id: 1 } })).sequence;

beforeAll(async () => {
  editor = await tokenFor('editor');
  ids = await idsBySlug(app.yoga, {
    xi: ['leader', 'xi-jinping'],
    putin: ['leader', 'vladimir-putin'],
    sco: ['summit', 'sco-summit-samarkand-2022'],
  });
  const when = [
    { from: '2022-09-15', to: '2022-09-15', precision: 'DAY' },
    { from: '2022-09-12', to: '2022-09-18', precision: 'WEEK' },
    { from: '2022-09-01', to: '2022-09-30', precision: 'MONTH' },
    { from: '2022-09-15', to: '2022-09-15', precision: 'DAY' },
  ];
  for (const [index, range] of when.entries()) {
    const result = await execute(
      app.yoga,
      'mutation ($i: CreateOccurrenceInput!) { createOccurrence(input: $i) { occurrence { id } } }',
      {
        i: {
          kind: index % 2 ? 'TALKS' : 'MEETING',
          participants: [{ entity: ids.xi }, { entity: ids.putin }],
          when: range,
          partOf: index < 2 ? ids.sco : null,
          status: index === 3 ? 'CONFIRMED' : 'EXPECTED',
        },
      },
      editor,
    );
    expect(result.errors).toBeUndefined();
  }
});

describe('asOf { timeline }', () => {
  it('lists what timeline lists at the head, under every filter', async () => {
    for (const filter of [
      {},
      { mentioning: ids.xi },
      { mentioning: ids.sco },
      { kinds: ['TALKS'] },
      { statuses: ['CONFIRMED', 'ANNOUNCED'] },
      { from: '2022-09-14', to: '2022-09-16' },
    ]) {
      const result = await execute(
        app.yoga,
        `query ($f: TimelineFilter) {
          timeline(first: 50, filter: $f) { ${ENTRY} }
          asOf(point: { time: "2099-01-01T00:00:00Z" }) { timeline(first: 50, filter: $f) { ${ENTRY} } }
        }`,
        { f: filter },
      );
      expect(result.errors).toBeUndefined();
      const present = entries(result.data.timeline);
      expect(present.length, JSON.stringify(filter)).toBeGreaterThan(0);
      expect(entries(result.data.asOf.timeline), JSON.stringify(filter)).toEqual(present);
    }
  });

  it('pages through the whole list once, forwards', async () => {
    const all = await execute(
      app.yoga,
      `{ asOf(point: { time: "2099-01-01T00:00:00Z" }) { timeline(first: 50) { ${PAGE} } } }`,
    );
    const everything = all.data.asOf.timeline.edges.map(
      (e: { node: { subject: { id: string } } }) => e.node.subject.id,
    );
    const walked: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 20; page += 1) {
      const result = await execute(
        app.yoga,
        `query ($after: String) { asOf(point: { time: "2099-01-01T00:00:00Z" }) { timeline(first: 2, after: $after) { ${PAGE} } } }`,
        { after },
      );
      const connection = result.data.asOf.timeline;
      walked.push(
        ...connection.edges.map((e: { node: { subject: { id: string } } }) => e.node.subject.id),
      );
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(walked).toEqual(everything);
    expect(new Set(walked).size).toBe(walked.length);
  });

  it('shows the timeline as it stood: before a creation, and before a move', async () => {
    const before = await head();
    const created = await execute(
      app.yoga,
      'mutation ($i: CreateOccurrenceInput!) { createOccurrence(input: $i) { occurrence { id version } } }',
      {
        i: {
          kind: 'CALL',
          participants: [{ entity: ids.xi }, { entity: ids.putin }],
          when: { from: '2022-01-10', to: '2022-01-10', precision: 'DAY' },
        },
      },
      editor,
    );
    const call = created.data.createOccurrence.occurrence;
    const placed = await head();
    await execute(
      app.yoga,
      'mutation ($i: UpdateOccurrenceInput!) { updateOccurrence(input: $i) { occurrence { id } } }',
      {
        i: {
          id: call.id,
          expectedVersion: call.version,
          patch: { when: { from: '2023-03-01', to: '2023-03-01', precision: 'DAY' } },
        },
      },
      editor,
    );
    const at = async (sequence: number) => {
      const result = await execute(
        app.yoga,
        `query ($s: Int!) { asOf(point: { sequence: $s }) { timeline(first: 50) { ${ENTRY} } } }`,
        { s: sequence },
      );
      return entries(result.data.asOf.timeline) as {
        subject: { id: string };
        when: { from: string };
      }[];
    };
    expect((await at(before)).some((entry) => entry.subject.id === call.id)).toBe(false);
    const then = await at(placed);
    expect(then[0]?.subject.id).toBe(call.id);
    expect(then[0]?.when.from).toBe('2022-01-10');
    const now = await at(await head());
    expect(now.at(-1)?.subject.id).toBe(call.id);
    expect(now.at(-1)?.when.from).toBe('2023-03-01');
  });
});
