// Occurrences and claims through the API (and recordClaims, as ingestion will call it): CRUD with
// previousWhen, new participants (refused while attached claims name others), attaching,
// detaching and ranking claims, conflicts and sourceCount, accepting a proposal, deleting (its
// claims logged as detached), the feed and occurrenceUpdated, and bad input that writes nothing.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { writeChange } from '../src/story/changes.ts';
import { recordClaims } from '../src/story/claims.ts';
import { encodeGlobalId } from '../src/story/global-id.ts';
import type { ClaimDraft } from '../src/story/occurrences.ts';
import { startApp, tokenFor, waitForSubscribers, waitUntil } from './helpers/app.ts';
import { collect, wsClient } from './helpers/clients.ts';
import { db } from './helpers/database.ts';
import { errorCodes, execute, idsBySlug } from './helpers/graphql.ts';

const app = await startApp();
const { yoga } = app;
let editor: string;
let admin: string;
const ids = {} as Record<'xi' | 'putin' | 'li' | 'sco' | 'scoOrg' | 'article', string>;
const rows = {} as Record<'xi' | 'putin' | 'li' | 'article' | 'later', number>;

beforeAll(async () => {
  [editor, admin] = await Promise.all([tokenFor('editor'), tokenFor('admin')]);
  Object.assign(
    ids,
    await idsBySlug(yoga, {
      xi: ['leader', 'xi-jinping'],
      putin: ['leader', 'vladimir-putin'],
      li: ['leader', 'li-zhanshu'],
      sco: ['summit', 'sco-summit-samarkand-2022'],
      scoOrg: ['organization', 'shanghai-cooperation-organization'],
      article: ['article', 'xi-and-putin-to-meet-at-sco-summit'],
    }),
  );
  for (const slug of ['xi-jinping', 'vladimir-putin', 'li-zhanshu'] as const) {
    const leader = await db.leader.findUniqueOrThrow({ where: { slug } });
    rows[({ 'xi-jinping': 'xi', 'vladimir-putin': 'putin', 'li-zhanshu': 'li' } as const)[slug]] =
      leader.id;
  }
  rows.article = (
    await db.article.findUniqueOrThrow({
      where: { slug: 'xi-and-putin-to-meet-at-sco-summit' },
    })
  ).id;
  // A second source, published after the summit.
  rows.later = (
    await db.article.create({
      data: {
        slug: 'xi-and-putin-met-in-samarkand',
        headline: 'Xi and Putin met in Samarkand',
        source: 'Reuters',
        publishedAt: new Date('2022-09-17T09:00:00Z'),
      },
    })
  ).id;
});

const day = (d: string) => new Date(`${d}T00:00:00.000Z`);
/** The row id in a global ID. */
const rowId = (globalId: string | undefined) =>
  Number(Buffer.from(String(globalId), 'base64').toString().split(':')[1]);
const leader = (key: 'xi' | 'putin' | 'li') => ({ type: 'Leader' as const, id: rows[key] });

function draft(extra: Partial<ClaimDraft> = {}): ClaimDraft {
  return {
    kind: 'MEETING',
    cameoCode: '044',
    modality: 'PLANNED',
    participants: [leader('xi'), leader('putin')],
    when: { from: day('2022-09-15'), to: day('2022-09-16'), precision: 'DAY' },
    place: 'Samarkand',
    partOf: null,
    attribution: null,
    evidence: {
      start: 0,
      end: 12,
      exact: 'Xi and Putin',
      prefix: '',
      suffix: ' will meet',
      inHeadline: false,
    },
    confidence: 0.9,
    ...extra,
  };
}

/** Records claims as ingestion will: one write, through the story layer. */
async function record(articleId: number, drafts: ClaimDraft[], attributions: never[] = []) {
  const writer = { viewer: { role: 'editor' as const }, db, pubsub: app.pubsub };
  const { result } = await writeChange(writer, (tx, rec) =>
    recordClaims(tx, rec, { articleId, drafts, attributions }),
  );
  return result.map((id) => encodeGlobalId('Claim', id));
}

const OCCURRENCE = `id slug kind status version place when { from to precision }
  previousWhen { from to } partOf { id } participants { role entity { id } }
  sourceCount conflicts { field claims { id } } claims { totalCount edges { node { id rank } } }`;
const CREATE = `mutation ($input: CreateOccurrenceInput!) { createOccurrence(input: $input) { occurrence { ${OCCURRENCE} } } }`;
const UPDATE = `mutation ($input: UpdateOccurrenceInput!) { updateOccurrence(input: $input) { occurrence { ${OCCURRENCE} } } }`;
const ATTACH = `mutation ($input: AttachClaimInput!) { attachClaim(input: $input) { claim { id occurrence { id } } occurrence { ${OCCURRENCE} } } }`;
const DETACH = `mutation ($input: DetachClaimInput!) { detachClaim(input: $input) { claim { id occurrence { id } } occurrence { ${OCCURRENCE} } } }`;
const RANK = `mutation ($input: RankClaimInput!) { rankClaim(input: $input) { claim { id rank } } }`;
const ACCEPT = `mutation ($input: AcceptOccurrenceProposalInput!) { acceptOccurrenceProposal(input: $input) { occurrence { ${OCCURRENCE} } } }`;
const READ = `query ($id: ID!) { node(id: $id) { ... on Occurrence { ${OCCURRENCE} } } }`;

const pair = (a: 'xi' | 'putin' | 'li', b: 'xi' | 'putin' | 'li') => [
  { entity: ids[a], role: 'INITIATOR' },
  { entity: ids[b], role: 'COUNTERPART' },
];
const create = (input: Record<string, unknown>) => execute(yoga, CREATE, { input }, editor);
const lastEvents = async (count: number) =>
  (await db.storyEvent.findMany({ orderBy: { sequence: 'desc' }, take: count })).reverse();
const counts = async () => ({
  events: await db.storyEvent.count(),
  occurrences: await db.occurrence.count(),
  participants: await db.occurrenceParticipant.count(),
  claims: await db.claim.count(),
  attached: await db.claim.count({ where: { occurrenceId: { not: null } } }),
});

describe('occurrences', () => {
  it('creates an occurrence with a generated slug, logs it, and lists it where it belongs', async () => {
    const before = await db.storyEvent.count();
    const result = await create({
      kind: 'MEETING',
      participants: pair('xi', 'putin'),
      when: { from: '2022-09-15', to: '2022-09-15' },
      place: 'Samarkand',
      partOf: ids.sco,
    });
    expect(result.errors).toBeUndefined();
    const occurrence = result.data.createOccurrence.occurrence;
    expect(occurrence).toMatchObject({
      slug: 'meeting-xi-jinping-vladimir-putin-2022-09-15',
      kind: 'MEETING',
      status: 'ANNOUNCED',
      version: 1,
      place: 'Samarkand',
      when: { from: '2022-09-15', to: '2022-09-15', precision: 'DAY' },
      previousWhen: [],
      partOf: { id: ids.sco },
      participants: [
        { role: 'INITIATOR', entity: { id: ids.xi } },
        { role: 'COUNTERPART', entity: { id: ids.putin } },
      ],
      sourceCount: 0,
      conflicts: [],
      claims: { totalCount: 0 },
    });
    const events = await lastEvents(1);
    expect(await db.storyEvent.count()).toBe(before + 1);
    expect(events[0]).toMatchObject({ kind: 'CREATED', entityType: 'Occurrence' });
    expect(events[0]?.relatedIds).toEqual([occurrence.id, ids.xi, ids.putin, ids.sco]);

    const lists = await execute(
      yoga,
      `query ($xi: ID!) {
        occurrence(slug: "meeting-xi-jinping-vladimir-putin-2022-09-15") { id }
        hit: occurrences(filter: { mentioning: $xi, kinds: [MEETING], from: "2022-09-15", to: "2022-09-30" }) { totalCount edges { node { id } } }
        miss: occurrences(filter: { mentioning: $xi, from: "2022-09-16" }) { totalCount }
        leader(slug: "xi-jinping") { occurrences { id } }
        summit(slug: "sco-summit-samarkand-2022") { occurrences { id } }
      }`,
      { xi: ids.xi },
    );
    expect(lists.errors).toBeUndefined();
    expect(lists.data).toEqual({
      occurrence: { id: occurrence.id },
      hit: { totalCount: 1, edges: [{ node: { id: occurrence.id } }] },
      miss: { totalCount: 0 },
      leader: { occurrences: [{ id: occurrence.id }] },
      summit: { occurrences: [{ id: occurrence.id }] },
    });
  });

  it('keeps the replaced when in previousWhen, labels the changes, and refuses a stale version', async () => {
    const { occurrence } = (
      await create({
        kind: 'CALL',
        participants: pair('xi', 'li'),
        when: { from: '2022-10-01', to: '2022-10-01' },
      })
    ).data.createOccurrence;
    const moved = await execute(
      yoga,
      UPDATE,
      {
        input: {
          id: occurrence.id,
          expectedVersion: 1,
          patch: { when: { from: '2022-10-03', to: '2022-10-04' } },
        },
      },
      editor,
    );
    expect(moved.errors).toBeUndefined();
    expect(moved.data.updateOccurrence.occurrence).toMatchObject({
      version: 2,
      when: { from: '2022-10-03', to: '2022-10-04' },
      previousWhen: [{ from: '2022-10-01', to: '2022-10-01' }],
    });
    const confirmed = await execute(
      yoga,
      UPDATE,
      {
        input: {
          id: occurrence.id,
          expectedVersion: 2,
          patch: { status: 'CONFIRMED', when: { from: '2022-10-05', to: '2022-10-05' } },
        },
      },
      editor,
    );
    expect(confirmed.data.updateOccurrence.occurrence.previousWhen).toEqual([
      { from: '2022-10-01', to: '2022-10-01' },
      { from: '2022-10-03', to: '2022-10-04' },
    ]);
    expect((await lastEvents(2)).map((e) => [e.label, e.entityVersion])).toEqual([
      ['OCCURRENCE_RESCHEDULED', 2],
      ['OCCURRENCE_CONFIRMED', 3],
    ]);
    const stale = await execute(
      yoga,
      UPDATE,
      { input: { id: occurrence.id, expectedVersion: 2, patch: { status: 'CANCELLED' } } },
      editor,
    );
    expect(errorCodes(stale)).toEqual(['CONFLICT']);
    expect(
      (await db.occurrence.findUniqueOrThrow({ where: { slug: occurrence.slug } })).status,
    ).toBe('CONFIRMED');
  });

  it('deletes with an admin token only; its claims become proposals again', async () => {
    const { occurrence } = (await create({ kind: 'SIGNING', participants: pair('putin', 'li') }))
      .data.createOccurrence;
    const [claim] = await record(rows.article, [
      draft({
        kind: 'SIGNING',
        participants: [leader('putin'), leader('li')],
        when: null,
        place: null,
      }),
    ]);
    expect((await execute(yoga, READ, { id: occurrence.id })).data.node.claims.totalCount).toBe(1);
    const mutation =
      'mutation ($input: DeleteInput!) { deleteOccurrence(input: $input) { deletedId } }';
    expect(
      errorCodes(await execute(yoga, mutation, { input: { id: occurrence.id } }, editor)),
    ).toEqual(['FORBIDDEN']);
    const deleted = await execute(
      yoga,
      mutation,
      { input: { id: occurrence.id, expectedVersion: 1 } },
      admin,
    );
    expect(deleted.data.deleteOccurrence.deletedId).toBe(occurrence.id);
    expect((await execute(yoga, READ, { id: occurrence.id })).data.node).toBeNull();
    const stored = await db.claim.findUniqueOrThrow({ where: { id: rowId(claim) } });
    expect(stored.occurrenceId).toBeNull();
    // The claim's detaching is logged in the same commit, before the deletion, as detachClaim
    // would log it: the claim's followers and the fold see it.
    const [unlinked, gone] = await lastEvents(2);
    expect(unlinked).toMatchObject({
      kind: 'UNLINKED',
      entityType: 'Claim',
      entityId: stored.id,
      entityVersion: stored.version,
      changes: [{ field: 'occurrence', before: occurrence.id, after: null }],
    });
    expect(unlinked?.relatedIds).toEqual(expect.arrayContaining([claim, occurrence.id, ids.li]));
    expect(gone).toMatchObject({ kind: 'DELETED', entityType: 'Occurrence' });
    expect(gone?.sequence).toBe((unlinked?.sequence ?? 0) + 1);
  });
});

describe('participants of an occurrence', () => {
  const update = (id: string, expectedVersion: number, patch: Record<string, unknown>) =>
    execute(yoga, UPDATE, { input: { id, expectedVersion, patch } }, editor);

  it('replaces the participants, logs the change with who left, and the fold agrees', async () => {
    const { occurrence } = (await create({ kind: 'CALL', participants: pair('xi', 'putin') })).data
      .createOccurrence;
    const moved = await update(occurrence.id, 1, {
      participants: [{ entity: ids.li, role: 'HOST' }, { entity: ids.scoOrg }, { entity: ids.xi }],
    });
    expect(moved.errors).toBeUndefined();
    expect(moved.data.updateOccurrence.occurrence).toMatchObject({
      version: 2,
      slug: occurrence.slug,
      participants: [
        { role: 'HOST', entity: { id: ids.li } },
        { role: 'COUNTERPART', entity: { id: ids.scoOrg } },
        { role: 'COUNTERPART', entity: { id: ids.xi } },
      ],
    });
    const [event] = await lastEvents(1);
    expect(event).toMatchObject({
      kind: 'UPDATED',
      label: 'OCCURRENCE_PARTICIPANTS_CHANGED',
      entityVersion: 2,
      changes: [
        {
          field: 'participants',
          before: [
            { entity: ids.xi, role: 'INITIATOR' },
            { entity: ids.putin, role: 'COUNTERPART' },
          ],
          after: [
            { entity: ids.li, role: 'HOST' },
            { entity: ids.scoOrg, role: 'COUNTERPART' },
            { entity: ids.xi, role: 'COUNTERPART' },
          ],
        },
      ],
    });
    // Putin's followers hear that he no longer takes part.
    expect(event?.relatedIds).toEqual([occurrence.id, ids.li, ids.xi, ids.scoOrg, ids.putin]);
    // The same list again changes nothing and logs nothing.
    const before = await counts();
    const same = await update(occurrence.id, 2, {
      participants: [{ entity: ids.li, role: 'HOST' }, { entity: ids.scoOrg }, { entity: ids.xi }],
    });
    expect(same.data.updateOccurrence.occurrence.version).toBe(2);
    expect(await counts()).toEqual(before);
    // Read as of the event: the story rebuilt from the log has the new list.
    const asOf = await execute(
      yoga,
      `query ($at: Int!, $id: ID!) { asOf(point: { sequence: $at }) { node(id: $id) { ... on Occurrence { participants { role entity { id } } } } } }`,
      { at: event?.sequence, id: occurrence.id },
    );
    expect(asOf.errors).toBeUndefined();
    expect(asOf.data.asOf.node.participants).toEqual(
      moved.data.updateOccurrence.occurrence.participants,
    );
  });

  it('takes new roles or order while claims are attached, and refuses other participants with the claims named', async () => {
    const { occurrence } = (
      await create({ kind: 'VISIT', participants: pair('li', 'xi'), place: 'Moscow' })
    ).data.createOccurrence;
    const claims = await record(rows.later, [
      draft({ kind: 'VISIT', participants: [leader('li'), leader('xi')], place: 'Moscow' }),
      draft({ kind: 'VISIT', participants: [leader('xi'), leader('li')], place: 'Moscow' }),
    ]);
    const attached = await db.claim.count({
      where: { id: { in: claims.map(rowId) }, occurrenceId: rowId(occurrence.id) },
    });
    expect(attached).toBe(2);
    const { version } = await db.occurrence.findUniqueOrThrow({ where: { slug: occurrence.slug } });
    const swapped = await update(occurrence.id, version, {
      participants: [
        { entity: ids.xi, role: 'HOST' },
        { entity: ids.li, role: 'GUEST' },
      ],
    });
    expect(swapped.errors).toBeUndefined();
    expect(swapped.data.updateOccurrence.occurrence.claims.totalCount).toBe(2);

    const before = await counts();
    const other = await update(occurrence.id, version + 1, {
      participants: pair('xi', 'putin'),
    });
    expect(errorCodes(other)).toEqual(['CONFLICT']);
    expect(other.errors?.[0]?.extensions).toMatchObject({
      field: 'participants',
      claimIds: claims,
    });
    expect(await counts()).toEqual(before);

    // Once those claims are detached, the same change goes through.
    for (const claim of claims) {
      await execute(
        yoga,
        DETACH,
        { input: { claimId: claim, occurrenceId: occurrence.id } },
        editor,
      );
    }
    const { version: now } = await db.occurrence.findUniqueOrThrow({
      where: { slug: occurrence.slug },
    });
    const after = await update(occurrence.id, now, { participants: pair('xi', 'putin') });
    expect(after.errors).toBeUndefined();
    expect(after.data.updateOccurrence.occurrence.participants).toEqual([
      { role: 'INITIATOR', entity: { id: ids.xi } },
      { role: 'COUNTERPART', entity: { id: ids.putin } },
    ]);
  });
});

describe('claims', () => {
  it('records claims, attaching the one that matches an occurrence and keeping the others as proposals', async () => {
    const { occurrence } = (
      await create({
        kind: 'TALKS',
        participants: pair('xi', 'putin'),
        when: { from: '2022-09-15', to: '2022-09-16' },
        place: 'Samarkand',
        status: 'ANNOUNCED',
      })
    ).data.createOccurrence;
    const before = await db.storyEvent.count();
    const [matching, other] = await record(
      rows.article,
      [
        draft({
          kind: 'TALKS',
          modality: 'CONFIRMED',
          attribution: 0,
          evidence: { ...draft().evidence, start: 40, end: 52 },
        }),
        draft({ kind: 'TALKS', participants: [leader('xi'), leader('li')] }),
      ],
      [
        {
          source: { name: 'the Kremlin', kind: 'GOVERNMENT' },
          span: { start: 60, end: 71, text: 'the Kremlin' },
          inHeadline: false,
        },
      ] as never[],
    );
    // Each claim's CLAIM_RECORDED (written together), then the first, on the Kremlin's word,
    // confirms the talks.
    const events = await lastEvents(3);
    expect(await db.storyEvent.count()).toBe(before + 3);
    expect(events.map((e) => [e.entityType, e.label])).toEqual([
      ['Claim', 'CLAIM_RECORDED'],
      ['Claim', 'CLAIM_RECORDED'],
      ['Occurrence', 'OCCURRENCE_CONFIRMED'],
    ]);
    expect(events[0]?.relatedIds).toEqual([
      matching,
      ids.article,
      occurrence.id,
      ids.xi,
      ids.putin,
    ]);
    expect(events[1]?.relatedIds).toEqual([other, ids.article, ids.xi, ids.li]);
    const read = await execute(
      yoga,
      `query ($id: ID!, $claim: ID!) {
        node(id: $id) { ... on Occurrence { status sourceCount claims { edges { node { id } } } } }
        claim: node(id: $claim) { ... on Claim { modality confidence rank occurrence { id } participants { id } when { from to }
          attributedTo { source { name kind } span { start end } } evidence { exact suffix inHeadline span { start end } } article { id } } }
      }`,
      { id: occurrence.id, claim: matching },
    );
    expect(read.errors).toBeUndefined();
    expect(read.data.node).toEqual({
      status: 'CONFIRMED',
      sourceCount: 1,
      claims: { edges: [{ node: { id: matching } }] },
    });
    expect(read.data.claim).toEqual({
      modality: 'CONFIRMED',
      confidence: 0.9,
      rank: 'NORMAL',
      occurrence: { id: occurrence.id },
      participants: [{ id: ids.xi }, { id: ids.putin }],
      when: { from: '2022-09-15', to: '2022-09-16' },
      attributedTo: {
        source: { name: 'the Kremlin', kind: 'GOVERNMENT' },
        span: { start: 60, end: 71 },
      },
      evidence: {
        exact: 'Xi and Putin',
        suffix: ' will meet',
        inHeadline: false,
        span: { start: 40, end: 52 },
      },
      article: { id: ids.article },
    });
    const proposal = await db.claim.count({ where: { occurrenceId: null, kind: 'TALKS' } });
    expect(proposal).toBe(1);
  });

  it('attaches, finds conflicts, counts sources, ranks and detaches', async () => {
    const { occurrence } = (
      await create({
        kind: 'VISIT',
        participants: pair('putin', 'xi'),
        when: { from: '2022-09-15', to: '2022-09-15' },
      })
    ).data.createOccurrence;
    const visit = (extra: Partial<ClaimDraft>) =>
      draft({ kind: 'VISIT', participants: [leader('putin'), leader('xi')], ...extra });
    // Recorded before a match was possible, or not matching: proposals until attached.
    const [first] = await record(rows.article, [visit({ when: null, place: 'Samarkand' })]);
    expect(first).toBeDefined();
    const [late] = await record(rows.later, [
      visit({
        modality: 'REPORTED',
        when: { from: day('2022-09-20'), to: day('2022-09-20'), precision: 'DAY' },
        place: 'Beijing',
      }),
    ]);
    const attachedFirst = await db.claim.findFirstOrThrow({
      where: { kind: 'VISIT', articleId: rows.article },
    });
    expect(attachedFirst.occurrenceId).not.toBeNull(); // matched: unknown when, agreeing place
    const attach = await execute(
      yoga,
      ATTACH,
      { input: { claimId: late, occurrenceId: occurrence.id } },
      editor,
    );
    expect(attach.errors).toBeUndefined();
    expect(attach.data.attachClaim.claim.occurrence).toEqual({ id: occurrence.id });
    const after = attach.data.attachClaim.occurrence;
    expect(after.sourceCount).toBe(2);
    expect(after.claims.totalCount).toBe(2);
    // One claim gives no when, so only the places disagree.
    expect(after.conflicts).toEqual([{ field: 'place', claims: [{ id: first }, { id: late }] }]);
    // The report is from after the 15th: the visit took place.
    expect(after.status).toBe('OCCURRED');
    expect((await lastEvents(2)).map((e) => [e.entityType, e.kind, e.label])).toEqual([
      ['Claim', 'LINKED', 'CLAIM_CONFLICT'],
      ['Occurrence', 'UPDATED', 'OCCURRENCE_OCCURRED'],
    ]);

    const ranked = await execute(
      yoga,
      RANK,
      { input: { claimId: late, rank: 'DEPRECATED' } },
      editor,
    );
    expect(ranked.data.rankClaim.claim).toEqual({ id: late, rank: 'DEPRECATED' });
    const reread = await execute(
      yoga,
      `query ($id: ID!) { node(id: $id) { ... on Occurrence { conflicts { field } deprecated: claims(rank: [DEPRECATED]) { totalCount edges { node { id } } } } } }`,
      { id: occurrence.id },
    );
    expect(reread.data.node).toEqual({
      conflicts: [],
      deprecated: { totalCount: 1, edges: [{ node: { id: late } }] },
    });

    const detached = await execute(
      yoga,
      DETACH,
      { input: { claimId: late, occurrenceId: occurrence.id } },
      editor,
    );
    expect(detached.errors).toBeUndefined();
    expect(detached.data.detachClaim.claim.occurrence).toBeNull();
    expect(detached.data.detachClaim.occurrence).toMatchObject({
      sourceCount: 1,
      claims: { totalCount: 1 },
    });
    const [event] = await lastEvents(1);
    expect(event).toMatchObject({ kind: 'UNLINKED', entityType: 'Claim' });
    expect(event?.relatedIds).toContain(occurrence.id);
    const again = await execute(
      yoga,
      DETACH,
      { input: { claimId: late, occurrenceId: occurrence.id } },
      editor,
    );
    expect(errorCodes(again)).toEqual(['CONFLICT']);
  });

  it('accepts a proposal as a new occurrence, once', async () => {
    const [proposal] = await record(rows.article, [
      draft({
        kind: 'OTHER',
        participants: [leader('li'), leader('putin')],
        partOf: {
          type: 'Summit',
          id: (await db.summit.findUniqueOrThrow({ where: { slug: 'sco-summit-samarkand-2022' } }))
            .id,
        },
      }),
    ]);
    const accept = (status?: string) =>
      execute(
        yoga,
        ACCEPT,
        { input: { articleId: ids.article, proposalId: proposal, status } },
        editor,
      );
    const accepted = await accept('EXPECTED');
    expect(accepted.errors).toBeUndefined();
    expect(accepted.data.acceptOccurrenceProposal.occurrence).toMatchObject({
      kind: 'OTHER',
      status: 'EXPECTED',
      place: 'Samarkand',
      when: { from: '2022-09-15', to: '2022-09-16' },
      partOf: { id: ids.sco },
      participants: [{ entity: { id: ids.li } }, { entity: { id: ids.putin } }],
      sourceCount: 1,
      claims: { totalCount: 1, edges: [{ node: { id: proposal } }] },
    });
    const before = await counts();
    expect(errorCodes(await accept())).toEqual(['CONFLICT']);
    expect(await counts()).toEqual(before);
  });
});

describe('bad input writes nothing', () => {
  const cases: [string, () => Promise<unknown>, string][] = [];
  const bad = (name: string, code: string, run: () => Promise<unknown>) =>
    cases.push([name, run, code]);
  const unknownClaim = encodeGlobalId('Claim', 999_999);

  bad('no participants', 'BAD_USER_INPUT', () => create({ kind: 'MEETING', participants: [] }));
  bad('a summit as participant', 'BAD_USER_INPUT', () =>
    create({ kind: 'MEETING', participants: [{ entity: ids.xi }, { entity: ids.sco }] }),
  );
  bad('when.to before from', 'BAD_USER_INPUT', () =>
    create({
      kind: 'MEETING',
      participants: pair('xi', 'li'),
      when: { from: '2022-09-16', to: '2022-09-15' },
    }),
  );
  bad('partOf an article', 'BAD_USER_INPUT', () =>
    create({ kind: 'MEETING', participants: pair('xi', 'li'), partOf: ids.article }),
  );
  bad('an unknown claim', 'NOT_FOUND', () =>
    create({ kind: 'MEETING', participants: pair('xi', 'li'), claimIds: [unknownClaim] }),
  );
  bad('a claim with other participants', 'CONFLICT', async () => {
    const claim = await db.claim.findFirstOrThrow({ where: { occurrenceId: null, kind: 'TALKS' } });
    return create({
      kind: 'TALKS',
      participants: pair('xi', 'putin'),
      claimIds: [encodeGlobalId('Claim', claim.id)],
    });
  });
  bad('an unknown proposal', 'NOT_FOUND', () =>
    execute(yoga, ACCEPT, { input: { articleId: ids.article, proposalId: unknownClaim } }, editor),
  );
  bad('attaching a claim with other participants', 'CONFLICT', async () => {
    const claim = await db.claim.findFirstOrThrow({ where: { occurrenceId: null, kind: 'TALKS' } });
    const occurrence = await db.occurrence.findFirstOrThrow({ where: { kind: 'TALKS' } });
    return execute(
      yoga,
      ATTACH,
      {
        input: {
          claimId: encodeGlobalId('Claim', claim.id),
          occurrenceId: encodeGlobalId('Occurrence', occurrence.id),
        },
      },
      editor,
    );
  });
  bad('an occurrence part of itself', 'BAD_USER_INPUT', async () => {
    const row = await db.occurrence.findFirstOrThrow({ where: { kind: 'CALL' } });
    const id = encodeGlobalId('Occurrence', row.id);
    return execute(
      yoga,
      UPDATE,
      { input: { id, expectedVersion: row.version, patch: { partOf: id } } },
      editor,
    );
  });

  const newParticipants = async (participants: unknown) => {
    const row = await db.occurrence.findFirstOrThrow({ where: { kind: 'CALL' } });
    const id = encodeGlobalId('Occurrence', row.id);
    return execute(
      yoga,
      UPDATE,
      { input: { id, expectedVersion: row.version, patch: { participants, place: 'Elsewhere' } } },
      editor,
    );
  };
  bad('an update without participants', 'BAD_USER_INPUT', () => newParticipants([]));
  bad('an update clearing participants', 'BAD_USER_INPUT', () => newParticipants(null));
  bad('an update naming a summit as participant', 'BAD_USER_INPUT', () =>
    newParticipants([{ entity: ids.xi }, { entity: ids.sco }]),
  );
  bad('an update naming a participant twice', 'BAD_USER_INPUT', () =>
    newParticipants([{ entity: ids.xi }, { entity: ids.xi, role: 'HOST' }]),
  );
  bad('an update naming an unknown leader', 'NOT_FOUND', () =>
    newParticipants([{ entity: ids.xi }, { entity: encodeGlobalId('Leader', 999_999) }]),
  );

  it.each(cases)('refuses %s', async (_name, run, code) => {
    const before = await counts();
    const result = (await run()) as Parameters<typeof errorCodes>[0];
    expect(errorCodes(result)).toEqual([code]);
    expect(await counts()).toEqual(before);
  });

  it('refuses an occurrence part of its own part, and writes nothing', async () => {
    const parent = (await create({ kind: 'OTHER', participants: pair('xi', 'li') })).data
      .createOccurrence.occurrence;
    const child = (
      await create({ kind: 'OTHER', participants: pair('xi', 'li'), partOf: parent.id })
    ).data.createOccurrence.occurrence;
    const before = await counts();
    const cycle = await execute(
      yoga,
      UPDATE,
      { input: { id: parent.id, expectedVersion: 1, patch: { partOf: child.id } } },
      editor,
    );
    expect(errorCodes(cycle)).toEqual(['BAD_USER_INPUT']);
    expect(await counts()).toEqual(before);
  });
});

describe('live', () => {
  afterEach(() => waitUntil(() => app.feed.subscribers === 0, 10_000, 'every subscription to end'));

  it('sends occurrenceUpdated and storyEvents(mentioning) each event once, in order', async () => {
    const { occurrence } = (
      await create({
        kind: 'MEETING',
        participants: pair('li', 'putin'),
        when: { from: '2022-09-15', to: '2022-09-15' },
        place: 'Samarkand',
      })
    ).data.createOccurrence;
    const followed = collect(
      wsClient(app.url),
      'subscription ($id: ID!) { occurrenceUpdated(id: $id) { id version status sourceCount } }',
      { id: occurrence.id },
    );
    const feed = collect(
      wsClient(app.url),
      'subscription ($filter: StoryEventFilter) { storyEvents(filter: $filter) { sequence entityType label entityId } }',
      { filter: { mentioning: ids.li, types: ['OCCURRENCE', 'CLAIM'] } },
    );
    await waitForSubscribers(app, 2);
    const [claim] = await record(rows.article, [
      draft({ participants: [leader('li'), leader('putin')], modality: 'CANCELLED' }),
    ]);
    await execute(yoga, RANK, { input: { claimId: claim, rank: 'PREFERRED' } }, editor);
    // A last, later event: once it arrives, anything sent twice would have arrived before it.
    await execute(yoga, RANK, { input: { claimId: claim, rank: 'NORMAL' } }, editor);
    const events = await feed.waitFor(4);
    expect(
      events.map((e: { entityType: string; label: string | null; entityId: string }) => [
        e.entityType,
        e.label,
        e.entityId,
      ]),
    ).toEqual([
      ['CLAIM', 'CLAIM_RECORDED', claim],
      ['OCCURRENCE', 'OCCURRENCE_CANCELLED', occurrence.id],
      ['CLAIM', null, claim],
      ['CLAIM', null, claim],
    ]);
    const sequences = events.map((e: { sequence: number }) => e.sequence);
    expect(new Set(sequences).size).toBe(4);
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
    // The occurrence is re-read for each event touching it: after the claim's write committed,
    // every message shows it cancelled, with its one source.
    const updates = await followed.waitFor(4);
    expect(
      updates.map((u: { version: number; status: string; sourceCount: number }) => [
        u.version,
        u.status,
        u.sourceCount,
      ]),
    ).toEqual(Array.from({ length: 4 }, () => [2, 'CANCELLED', 1]));
    expect(followed.items).toHaveLength(4);
    expect(feed.items).toHaveLength(4);
    followed.unsubscribe();
    feed.unsubscribe();
  });

  it("tells a claim's followers when deleting its occurrence detaches it", async () => {
    const { occurrence } = (await create({ kind: 'TALKS', participants: pair('putin', 'li') })).data
      .createOccurrence;
    const [claim] = await record(rows.later, [
      draft({ kind: 'TALKS', participants: [leader('putin'), leader('li')], when: null }),
    ]);
    const feed = collect(
      wsClient(app.url),
      'subscription ($filter: StoryEventFilter) { storyEvents(filter: $filter) { entityType kind entityId changes { field before after } } }',
      // Only its detaching: the feed may not have read the claim's recording yet, and a new
      // subscription starts where the feed stands.
      { filter: { mentioning: claim, kinds: ['UNLINKED'] } },
    );
    await waitForSubscribers(app, 1);
    const deleted = await execute(
      yoga,
      'mutation ($input: DeleteInput!) { deleteOccurrence(input: $input) { deletedId } }',
      { input: { id: occurrence.id } },
      admin,
    );
    expect(deleted.errors).toBeUndefined();
    const [event] = await feed.waitFor(1);
    expect(event).toEqual({
      entityType: 'CLAIM',
      kind: 'UNLINKED',
      entityId: claim,
      changes: [{ field: 'occurrence', before: occurrence.id, after: null }],
    });
    feed.unsubscribe();
  });
});
