// The fold rebuilds the tables from the log alone: after 500 random edits of every kind the API
// offers (entities, links, mentions, ingestion with its claims, occurrences and their
// participants, claims, proposals),
// folding the whole log gives exactly the tables, and folding up to a position gives the tables
// as they were read when the log stood there, through checkpoints (stored and in memory) as well
// as without.
import { describe, expect, it } from 'vitest';
import { AsOfCache } from '../src/story/as-of/source.ts';
import { TABLE_NAMES, type Tables, tablesFromDatabase } from '../src/story/as-of/tables.ts';
import { testApp, tokenFor } from './helpers/app.ts';
import { db } from './helpers/database.ts';
import { execute } from './helpers/graphql.ts';
import { readLabelledArticles } from './helpers/ingest-fixtures.ts';

/** Columns the log does not pin down to the millisecond: written by the client's clock. */
const UNLOGGED = new Set(['createdAt', 'updatedAt']);
/** Link rows the log knows by what they join: their database ids are not in it. */
const LINK_TABLES = new Set([
  'leaderMention',
  'organizationMention',
  'summitMention',
  'occurrenceParticipant',
  'claimParticipant',
]);

/** The tables as plain JSON, comparable across the fold and the database. */
function comparable(tables: Tables): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const name of TABLE_NAMES) {
    const rows: Record<string, unknown> = {};
    for (const [key, row] of tables[name] as Map<string, Record<string, unknown>>) {
      const copy: Record<string, unknown> = {};
      for (const [column, value] of Object.entries(row).sort(([a], [b]) => a.localeCompare(b))) {
        if (UNLOGGED.has(column) || (column === 'id' && LINK_TABLES.has(name))) continue;
        copy[column] = value instanceof Date ? value.toISOString() : value;
      }
      rows[key] = JSON.parse(JSON.stringify(copy));
    }
    out[name] = rows;
  }
  return out;
}

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** The first differences between two comparable table sets, one line each, for a failure. */
function differences(a: ReturnType<typeof comparable>, b: ReturnType<typeof comparable>): string[] {
  const lines: string[] = [];
  for (const name of TABLE_NAMES) {
    const keys = new Set([...Object.keys(a[name] ?? {}), ...Object.keys(b[name] ?? {})]);
    for (const key of keys) {
      const [x, y] = [JSON.stringify(a[name]?.[key]), JSON.stringify(b[name]?.[key])];
      if (x !== y)
        lines.push(`${name} ${key}: fold ${x?.slice(0, 300)} / tables ${y?.slice(0, 300)}`);
    }
  }
  return lines.slice(0, 12);
}

const head = async () => (await db.storyHead.findUniqueOrThrow({ where: { id: 1 } })).sequence;

describe('folding the log', () => {
  it('rebuilds the tables after 500 random edits, at the head and at positions on the way', async () => {
    const app = testApp();
    const token = await tokenFor('admin');
    const run = async (query: string, variables: Record<string, unknown> = {}) =>
      execute(app.yoga, query, variables, token);
    const next = random(20261211);
    const pick = <T>(list: T[]): T | undefined => list[Math.floor(next() * list.length)];
    const articles = readLabelledArticles();
    type Ref = { id: string; version: number };
    const ids = async (list: string): Promise<Ref[]> => {
      const result = await run(`{ ${list}(first: 100) { edges { node { id version } } } }`);
      return (result.data?.[list]?.edges ?? []).map((edge: { node: Ref }) => edge.node);
    };
    const seen: { sequence: number; tables: ReturnType<typeof comparable> }[] = [];
    let applied = 0;
    let n = 0;
    const ops: (() => Promise<unknown> | undefined)[] = [
      () =>
        run('mutation($i: CreateLeaderInput!) { createLeader(input: $i) { leader { id } } }', {
          i: { slug: `leader-${n}`, name: `Leader ${n}`, title: 'Minister', country: 'Nowhere' },
        }),
      async () => {
        const leader = pick(await ids('leaders'));
        return (
          leader &&
          run('mutation($i: UpdateLeaderInput!) { updateLeader(input: $i) { leader { id } } }', {
            i: {
              id: leader.id,
              expectedVersion: leader.version,
              patch: { title: `Title ${n}`, aliases: [`Alias ${n}`] },
            },
          })
        );
      },
      async () => {
        const summit = pick(await ids('summits'));
        return (
          summit &&
          run('mutation($i: UpdateSummitInput!) { updateSummit(input: $i) { summit { id } } }', {
            i: {
              id: summit.id,
              expectedVersion: summit.version,
              patch: { startsOn: `2022-09-${10 + (n % 18)}`, status: 'CONFIRMED' },
            },
          })
        );
      },
      async () => {
        const [leader, summit] = [pick(await ids('leaders')), pick(await ids('summits'))];
        return (
          leader &&
          summit &&
          run(
            'mutation($i: LinkLeaderToSummitInput!) { linkLeaderToSummit(input: $i) { __typename } }',
            { i: { leaderId: leader.id, summitId: summit.id, status: 'EXPECTED' } },
          )
        );
      },
      async () => {
        const [leader, summit] = [pick(await ids('leaders')), pick(await ids('summits'))];
        return (
          leader &&
          summit &&
          run(
            'mutation($i: UnlinkLeaderFromSummitInput!) { unlinkLeaderFromSummit(input: $i) { __typename } }',
            { i: { leaderId: leader.id, summitId: summit.id } },
          )
        );
      },
      async () => {
        const [leader, org] = [pick(await ids('leaders')), pick(await ids('organizations'))];
        return (
          leader &&
          org &&
          run(
            'mutation($i: LinkLeaderToOrganizationInput!) { linkLeaderToOrganization(input: $i) { __typename } }',
            {
              i: {
                leaderId: leader.id,
                organizationId: org.id,
                role: 'member',
                startedOn: '2020-01-01',
              },
            },
          )
        );
      },
      async () => {
        const [leader, article] = [pick(await ids('leaders')), pick(await ids('articles'))];
        return (
          leader &&
          article &&
          run(
            'mutation($i: LinkLeaderToArticleInput!) { linkLeaderToArticle(input: $i) { __typename } }',
            { i: { leaderId: leader.id, articleId: article.id } },
          )
        );
      },
      async () => {
        const [leader, article] = [pick(await ids('leaders')), pick(await ids('articles'))];
        return (
          leader &&
          article &&
          run(
            'mutation($i: UnlinkLeaderFromArticleInput!) { unlinkLeaderFromArticle(input: $i) { __typename } }',
            { i: { leaderId: leader.id, articleId: article.id } },
          )
        );
      },
      () => {
        const article = pick(articles);
        return (
          article &&
          run('mutation($i: IngestArticleInput!) { ingestArticle(input: $i) { article { id } } }', {
            i: {
              headline: `${article.headline} (${n})`,
              body: article.body,
              publishedAt: article.publishedAt,
              source: 'Fold test wire',
            },
          })
        );
      },
      async () => {
        const result = await run(
          '{ articles(first: 100) { edges { node { id claims { id occurrence { id } } } } } }',
        );
        const claims = (result.data?.articles?.edges ?? []).flatMap(
          (edge: { node: { id: string; claims: { id: string; occurrence: unknown }[] } }) =>
            edge.node.claims.map((claim) => ({ ...claim, articleId: edge.node.id })),
        );
        const claim = pick(claims) as { id: string; articleId: string; occurrence: unknown };
        if (!claim) return undefined;
        if (claim.occurrence) {
          return next() < 0.5
            ? run('mutation($i: DetachClaimInput!) { detachClaim(input: $i) { __typename } }', {
                i: { claimId: claim.id, occurrenceId: (claim.occurrence as { id: string }).id },
              })
            : run('mutation($i: RankClaimInput!) { rankClaim(input: $i) { __typename } }', {
                i: { claimId: claim.id, rank: pick(['PREFERRED', 'NORMAL', 'DEPRECATED']) },
              });
        }
        return run(
          'mutation($i: AcceptOccurrenceProposalInput!) { acceptOccurrenceProposal(input: $i) { __typename } }',
          { i: { articleId: claim.articleId, proposalId: claim.id } },
        );
      },
      async () => {
        const occurrence = pick(await ids('occurrences'));
        return (
          occurrence &&
          run(
            'mutation($i: UpdateOccurrenceInput!) { updateOccurrence(input: $i) { __typename } }',
            {
              i: {
                id: occurrence.id,
                expectedVersion: occurrence.version,
                patch: {
                  when: { from: `2022-09-${10 + (n % 9)}`, to: `2022-09-${20 + (n % 9)}` },
                  place: `Place ${n}`,
                  status: 'CONFIRMED',
                },
              },
            },
          )
        );
      },
      async () => {
        // New participants: the same ones in another order with other roles (which attached
        // claims allow), or others (which they may refuse, with a CONFLICT that writes nothing).
        const result = await run(
          '{ occurrences(first: 100) { edges { node { id version participants { entity { id } } } } } }',
        );
        const occurrence = pick(
          (result.data?.occurrences?.edges ?? []).map((edge: { node: unknown }) => edge.node),
        ) as { id: string; version: number; participants: { entity: { id: string } }[] };
        if (!occurrence) return undefined;
        const others = [...(await ids('leaders')), ...(await ids('organizations'))];
        const entities =
          next() < 0.5
            ? occurrence.participants.map((p) => p.entity.id).reverse()
            : [...new Set([pick(others), pick(others)].map((ref) => ref?.id as string))];
        return run(
          'mutation($i: UpdateOccurrenceInput!) { updateOccurrence(input: $i) { __typename } }',
          {
            i: {
              id: occurrence.id,
              expectedVersion: occurrence.version,
              patch: {
                participants: entities.map((entity) => ({
                  entity,
                  role: pick(['INITIATOR', 'COUNTERPART', 'HOST', 'GUEST']),
                })),
              },
            },
          },
        );
      },
      async () => {
        const leaders = await ids('leaders');
        const [a, b] = [pick(leaders), pick(leaders)];
        return (
          a &&
          b &&
          a.id !== b.id &&
          run(
            'mutation($i: CreateOccurrenceInput!) { createOccurrence(input: $i) { __typename } }',
            {
              i: {
                kind: 'CALL',
                participants: [{ entity: a.id }, { entity: b.id, role: 'COUNTERPART' }],
                when: { from: '2022-10-01', to: '2022-10-01', precision: 'DAY' },
              },
            },
          )
        );
      },
      async () => {
        // Deletions are rarer than the rest, so the story keeps growing.
        if (next() > 0.3) return undefined;
        const list = pick(['leaders', 'summits', 'articles', 'occurrences', 'organizations']);
        const target = pick(await ids(list as string));
        const type = (list as string).replace(/s$/, '');
        const name = `delete${type[0]?.toUpperCase()}${type.slice(1)}`;
        return (
          target &&
          run(`mutation($i: DeleteInput!) { ${name}(input: $i) { __typename } }`, {
            i: { id: target.id },
          })
        );
      },
    ];
    while (applied < 500) {
      n += 1;
      const before = await head();
      const result = (await (pick(ops) as () => Promise<unknown> | undefined)()) as
        | { errors?: { extensions?: { code?: string } }[] }
        | undefined;
      // A refused edit (a link that exists, an unknown pair) must refuse cleanly and write nothing.
      for (const error of result?.errors ?? []) {
        expect(['CONFLICT', 'NOT_FOUND', 'BAD_USER_INPUT']).toContain(error.extensions?.code);
      }
      const after = await head();
      if (after > before) applied += 1;
      if (applied % 50 === 0 && after > before) {
        seen.push({ sequence: after, tables: comparable(await tablesFromDatabase(db)) });
      }
    }
    const last = await head();
    expect(last).toBeGreaterThan(500);
    // The edits reached every kind of change the fold has a rule for.
    const kinds = await db.storyEvent.groupBy({ by: ['entityType', 'kind'], _count: true });
    const count = (type: string, kind: string) =>
      kinds.find((k) => k.entityType === type && k.kind === kind)?._count ?? 0;
    for (const [type, kind] of [
      ['Leader', 'CREATED'],
      ['Leader', 'UPDATED'],
      ['Summit', 'UPDATED'],
      ['Article', 'CREATED'],
      ['Article', 'LINKED'],
      ['Article', 'UNLINKED'],
      ['Article', 'DELETED'],
      ['Participation', 'LINKED'],
      ['Participation', 'UNLINKED'],
      ['Membership', 'LINKED'],
      ['Claim', 'CREATED'],
      ['Claim', 'UPDATED'],
      ['Claim', 'UNLINKED'],
      ['Claim', 'LINKED'],
      ['Occurrence', 'CREATED'],
      ['Occurrence', 'UPDATED'],
      ['Occurrence', 'DELETED'],
    ]) {
      expect(count(type as string, kind as string), `${type} ${kind}`).toBeGreaterThan(0);
    }
    const participantsChanged = await db.storyEvent.count({
      where: { entityType: 'Occurrence', changes: { array_contains: [{ field: 'participants' }] } },
    });
    expect(participantsChanged).toBeGreaterThan(1);

    // Every checkpoint rebuilt from the log, small enough that most reads cross several.
    const fresh = new AsOfCache(db, { every: 97, cacheMb: 1 });
    const atHead = await fresh.at(last);
    const tablesNow = comparable(await tablesFromDatabase(db));
    expect(differences(comparable(atHead.tables), tablesNow)).toEqual([]);
    for (const { sequence, tables } of seen) {
      expect(differences(comparable((await fresh.at(sequence)).tables), tables)).toEqual([]);
    }
    // A second instance finds the stored checkpoints and builds none.
    const second = new AsOfCache(db, { every: 97, cacheMb: 1 });
    for (const { sequence, tables } of seen) {
      expect(comparable((await second.at(sequence)).tables)).toEqual(tables);
    }
    expect(second.built).toBe(0);
    // Without checkpoints at all (one page reaching from the start), the same.
    const whole = new AsOfCache(db, { every: 1_000_000, cacheMb: 1 });
    expect(comparable((await whole.at(last)).tables)).toEqual(comparable(atHead.tables));
  }, 240_000);
});
