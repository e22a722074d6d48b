import { beforeAll, describe, expect, it } from 'vitest';
import { testApp, tokenFor } from './helpers/app.ts';
import { db } from './helpers/database.ts';
import { errorCodes, execute, idsBySlug } from './helpers/graphql.ts';

const { yoga } = testApp();
let editor: string;
let admin: string;
let reader: string;
const ids: Record<string, string> = {};

beforeAll(async () => {
  [editor, admin, reader] = await Promise.all([
    tokenFor('editor'),
    tokenFor('admin'),
    tokenFor('reader'),
  ]);
  Object.assign(
    ids,
    await idsBySlug(yoga, {
      sco: ['summit', 'sco-summit-samarkand-2022'],
      putin: ['leader', 'vladimir-putin'],
      xi: ['leader', 'xi-jinping'],
      article: ['article', 'xi-and-putin-to-meet-at-sco-summit'],
      nato: ['organization', 'nato'],
    }),
  );
});

const UPDATE_SUMMIT = `mutation ($input: UpdateSummitInput!) {
  updateSummit(input: $input) { summit { id status version startsOn endsOn organizer { slug } } }
}`;

const eventCount = () => db.storyEvent.count();

describe('editing the story', () => {
  it('updates a summit, bumps its version and logs the field changes', async () => {
    const before = await eventCount();
    const current = await db.summit.findUniqueOrThrow({
      where: { slug: 'sco-summit-samarkand-2022' },
    });
    const result = await execute(
      yoga,
      UPDATE_SUMMIT,
      {
        input: {
          id: ids.sco,
          expectedVersion: current.version,
          patch: { status: 'CONFIRMED', endsOn: '2022-09-16' },
        },
      },
      editor,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data.updateSummit.summit).toMatchObject({
      status: 'CONFIRMED',
      version: current.version + 1,
      startsOn: '2022-09-15',
      endsOn: '2022-09-16',
    });
    expect(await eventCount()).toBe(before + 1);
    const event = await db.storyEvent.findFirstOrThrow({ orderBy: { sequence: 'desc' } });
    expect(event).toMatchObject({
      kind: 'UPDATED',
      // A new status says more than a new end date: the label names the confirmation.
      label: 'SUMMIT_CONFIRMED',
      entityType: 'Summit',
      entityVersion: current.version + 1,
      actorRole: 'editor',
    });
    expect(event.changes).toEqual([
      { field: 'endsOn', before: null, after: '2022-09-16' },
      { field: 'status', before: 'ANNOUNCED', after: 'CONFIRMED' },
    ]);
    // The summit's participants are among the related IDs, so a Putin follower hears of it.
    expect(event.relatedIds).toEqual(
      expect.arrayContaining([ids.sco, ids.putin, ids.xi, ids.article]),
    );
  });

  it('refuses a stale expectedVersion with CONFLICT and writes nothing, not even an event', async () => {
    const current = await db.summit.findUniqueOrThrow({
      where: { slug: 'sco-summit-samarkand-2022' },
    });
    const before = await eventCount();
    const result = await execute(
      yoga,
      UPDATE_SUMMIT,
      {
        input: {
          id: ids.sco,
          expectedVersion: current.version - 1,
          patch: { status: 'CANCELLED' },
        },
      },
      editor,
    );
    expect(errorCodes(result)).toEqual(['CONFLICT']);
    expect(result.errors?.[0]?.extensions).toMatchObject({ currentVersion: current.version });
    expect(await db.summit.findUniqueOrThrow({ where: { id: current.id } })).toEqual(current);
    expect(await eventCount()).toBe(before);
  });

  it('lets exactly one of two racing editors win', async () => {
    const current = await db.leader.findUniqueOrThrow({ where: { slug: 'li-zhanshu' } });
    const id = (await execute(yoga, '{ leader(slug: "li-zhanshu") { id } }')).data.leader.id;
    const update = (title: string) =>
      execute(
        yoga,
        'mutation ($input: UpdateLeaderInput!) { updateLeader(input: $input) { leader { title version } } }',
        { input: { id, expectedVersion: current.version, patch: { title } } },
        editor,
      );
    const results = await Promise.all([update('Title A'), update('Title B'), update('Title C')]);
    const winners = results.filter((result) => !result.errors);
    expect(winners).toHaveLength(1);
    expect(results.flatMap(errorCodes).sort()).toEqual(['CONFLICT', 'CONFLICT']);
    const after = await db.leader.findUniqueOrThrow({ where: { id: current.id } });
    expect(after.version).toBe(current.version + 1);
    expect(after.title).toBe(winners[0]?.data.updateLeader.leader.title);
  });

  it('treats a patch that changes nothing as a no-op', async () => {
    const current = await db.summit.findUniqueOrThrow({
      where: { slug: 'eastern-economic-forum-2022' },
    });
    const id = (await execute(yoga, '{ summit(slug: "eastern-economic-forum-2022") { id } }')).data
      .summit.id;
    const before = await eventCount();
    const result = await execute(
      yoga,
      UPDATE_SUMMIT,
      { input: { id, expectedVersion: current.version, patch: { status: current.status } } },
      editor,
    );
    expect(result.data.updateSummit.summit.version).toBe(current.version);
    expect(await eventCount()).toBe(before);
  });

  it('creates, links and deletes, logging each step in sequence', async () => {
    const head = (await db.storyHead.findUniqueOrThrow({ where: { id: 1 } })).sequence;
    const created = await execute(
      yoga,
      `mutation ($input: CreateLeaderInput!) { createLeader(input: $input) { leader { id slug version aliases } } }`,
      {
        input: {
          slug: 'shavkat-mirziyoyev',
          name: 'Shavkat Mirziyoyev',
          title: 'President of Uzbekistan',
          country: 'Uzbekistan',
          aliases: ['Mirziyoyev'],
        },
      },
      editor,
    );
    expect(created.errors).toBeUndefined();
    const leaderId = created.data.createLeader.leader.id;
    const linked = await execute(
      yoga,
      `mutation ($input: LinkLeaderToSummitInput!) { linkLeaderToSummit(input: $input) { participation { status leader { slug } summit { slug } } } }`,
      { input: { leaderId, summitId: ids.sco, status: 'CONFIRMED', note: 'The host.' } },
      editor,
    );
    expect(linked.data.linkLeaderToSummit.participation).toEqual({
      status: 'CONFIRMED',
      leader: { slug: 'shavkat-mirziyoyev' },
      summit: { slug: 'sco-summit-samarkand-2022' },
    });
    const mention = await execute(
      yoga,
      `mutation ($input: LinkLeaderToArticleInput!) { linkLeaderToArticle(input: $input) { article { version leaders { totalCount } } } }`,
      { input: { leaderId, articleId: ids.article, spans: [{ start: 0, end: 7 }] } },
      editor,
    );
    expect(mention.errors).toBeUndefined();
    expect(mention.data.linkLeaderToArticle.article.leaders.totalCount).toBe(4);

    const forbidden = await execute(
      yoga,
      'mutation ($input: DeleteInput!) { deleteLeader(input: $input) { deletedId } }',
      { input: { id: leaderId } },
      editor,
    );
    expect(errorCodes(forbidden)).toEqual(['FORBIDDEN']);
    const deleted = await execute(
      yoga,
      'mutation ($input: DeleteInput!) { deleteLeader(input: $input) { deletedId } }',
      { input: { id: leaderId, expectedVersion: 1 } },
      admin,
    );
    expect(deleted.data.deleteLeader.deletedId).toBe(leaderId);
    expect(
      await db.participation.count({ where: { leader: { slug: 'shavkat-mirziyoyev' } } }),
    ).toBe(0);

    const events = await db.storyEvent.findMany({
      where: { sequence: { gt: head } },
      orderBy: { sequence: 'asc' },
    });
    expect(
      events.map((event) => [event.sequence, event.kind, event.entityType, event.label]),
    ).toEqual([
      [head + 1, 'CREATED', 'Leader', null],
      [head + 2, 'LINKED', 'Participation', 'PARTICIPATION_CONFIRMED'],
      [head + 3, 'LINKED', 'Article', 'LEADER_MENTIONED'],
      [head + 4, 'DELETED', 'Leader', null],
    ]);
    expect(events[3]?.relatedIds).toEqual(expect.arrayContaining([leaderId, ids.sco, ids.article]));
    expect(events[2]?.changes).toEqual([{ field: 'leaders', before: null, after: leaderId }]);
  });

  it('links and unlinks every kind of relation, logging each with both ends', async () => {
    const head = (await db.storyHead.findUniqueOrThrow({ where: { id: 1 } })).sequence;
    const run = async (mutation: string, input: Record<string, unknown>) => {
      const result = await execute(yoga, mutation, { input }, editor);
      expect(result.errors).toBeUndefined();
      return result.data;
    };
    const membership = await run(
      'mutation ($input: LinkLeaderToOrganizationInput!) { linkLeaderToOrganization(input: $input) { membership { id version role startedOn startedOnPrecision } } }',
      { leaderId: ids.putin, organizationId: ids.nato, role: 'Critic', startedOn: '2022-02-24' },
    );
    const seat = membership.linkLeaderToOrganization.membership;
    expect(seat).toMatchObject({
      role: 'Critic',
      startedOn: '2022-02-24',
      startedOnPrecision: 'DAY',
      version: 1,
    });
    const updated = await run(
      'mutation ($input: UpdateMembershipInput!) { updateMembership(input: $input) { membership { version endedOn } } }',
      { id: seat.id, expectedVersion: 1, patch: { endedOn: '2022-12-31' } },
    );
    expect(updated.updateMembership.membership).toEqual({ version: 2, endedOn: '2022-12-31' });
    await run(
      'mutation ($input: UnlinkLeaderFromOrganizationInput!) { unlinkLeaderFromOrganization(input: $input) { membership { role } } }',
      { membershipId: seat.id },
    );
    const participation = await db.participation.findFirstOrThrow({
      where: { leader: { slug: 'xi-jinping' }, summit: { slug: 'ccp-national-congress-2022' } },
    });
    const participationId = Buffer.from(`Participation:${participation.id}`).toString('base64');
    await run(
      'mutation ($input: UpdateParticipationInput!) { updateParticipation(input: $input) { participation { status } } }',
      {
        id: participationId,
        expectedVersion: participation.version,
        patch: { status: 'WITHDRAWN' },
      },
    );
    const congress = (await execute(yoga, '{ summit(slug: "ccp-national-congress-2022") { id } }'))
      .data.summit.id;
    await run(
      'mutation ($input: UnlinkLeaderFromSummitInput!) { unlinkLeaderFromSummit(input: $input) { participation { status } } }',
      { leaderId: ids.xi, summitId: congress },
    );
    await run(
      'mutation ($input: LinkSummitToOrganizationInput!) { linkSummitToOrganization(input: $input) { summit { organizer { slug } } } }',
      { summitId: congress, organizationId: ids.nato },
    );
    await run(
      'mutation ($input: UnlinkSummitFromOrganizationInput!) { unlinkSummitFromOrganization(input: $input) { summit { organizer { slug } } } }',
      { summitId: congress },
    );
    await run(
      'mutation ($input: UnlinkOrganizationFromArticleInput!) { unlinkOrganizationFromArticle(input: $input) { article { organizations { totalCount } } } }',
      { articleId: ids.article, organizationId: ids.nato },
    );
    const events = await db.storyEvent.findMany({
      where: { sequence: { gt: head } },
      orderBy: { sequence: 'asc' },
    });
    expect(events.map((event) => [event.kind, event.entityType, event.label])).toEqual([
      ['LINKED', 'Membership', 'MEMBERSHIP_ADDED'],
      ['UPDATED', 'Membership', 'MEMBERSHIP_ENDED'],
      ['UNLINKED', 'Membership', null],
      ['UPDATED', 'Participation', 'PARTICIPATION_WITHDRAWN'],
      ['UNLINKED', 'Participation', null],
      ['LINKED', 'Summit', null],
      ['UNLINKED', 'Summit', null],
      ['UNLINKED', 'Article', null],
    ]);
    expect(events[2]?.relatedIds).toEqual(expect.arrayContaining([ids.putin, ids.nato]));
    expect(events[2]?.changes).toContainEqual({ field: 'role', before: 'Critic', after: null });
    expect(events[2]?.changes).toContainEqual({ field: 'leader', before: ids.putin, after: null });
    expect(events[4]?.relatedIds).toEqual(expect.arrayContaining([ids.xi, congress]));
    expect(events[6]?.changes).toEqual([{ field: 'organizer', before: ids.nato, after: null }]);
    expect(events[7]?.relatedIds).toContain(ids.nato);
    expect(events.map((event) => event.sequence)).toEqual(events.map((_, i) => head + 1 + i));
  });

  it('links every kind of relation by one rule: same again is a no-op, other values a CONFLICT, a missing link NOT_FOUND', async () => {
    const congress = (await execute(yoga, '{ summit(slug: "ccp-national-congress-2022") { id } }'))
      .data.summit.id;
    const attempts = [
      {
        mutation:
          'mutation ($input: LinkLeaderToSummitInput!) { linkLeaderToSummit(input: $input) { participation { id status version } } }',
        same: { leaderId: ids.putin, summitId: congress, status: 'EXPECTED' },
        other: { leaderId: ids.putin, summitId: congress, status: 'CONFIRMED' },
      },
      {
        mutation:
          'mutation ($input: LinkLeaderToOrganizationInput!) { linkLeaderToOrganization(input: $input) { membership { id role version } } }',
        same: {
          leaderId: ids.xi,
          organizationId: ids.nato,
          role: 'Observer',
          startedOn: '2020-01-01',
        },
        other: {
          leaderId: ids.xi,
          organizationId: ids.nato,
          role: 'Observer',
          startedOn: '2021-01-01',
        },
      },
      {
        mutation:
          'mutation ($input: LinkLeaderToArticleInput!) { linkLeaderToArticle(input: $input) { article { id version } } }',
        same: { articleId: ids.article, leaderId: ids.putin },
        other: { articleId: ids.article, leaderId: ids.putin, spans: [{ start: 0, end: 1 }] },
      },
    ];
    for (const attempt of attempts) {
      const first = await execute(yoga, attempt.mutation, { input: attempt.same }, editor);
      expect(first.errors).toBeUndefined();
      const events = await eventCount();
      const again = await execute(yoga, attempt.mutation, { input: attempt.same }, editor);
      expect(again.errors).toBeUndefined();
      expect(again.data).toEqual(first.data);
      expect(await eventCount()).toBe(events);
      const other = await execute(yoga, attempt.mutation, { input: attempt.other }, editor);
      expect(errorCodes(other)).toEqual(['CONFLICT']);
      expect(await eventCount()).toBe(events);
    }
    // Unlinking removes the link once; the second time there is nothing to remove.
    await execute(
      yoga,
      'mutation ($input: LinkOrganizationToArticleInput!) { linkOrganizationToArticle(input: $input) { article { id } } }',
      { input: { articleId: ids.article, organizationId: ids.nato } },
      editor,
    );
    const unlink =
      'mutation ($input: UnlinkOrganizationFromArticleInput!) { unlinkOrganizationFromArticle(input: $input) { article { id } } }';
    const input = { input: { articleId: ids.article, organizationId: ids.nato } };
    expect((await execute(yoga, unlink, input, editor)).errors).toBeUndefined();
    expect(errorCodes(await execute(yoga, unlink, input, editor))).toEqual(['NOT_FOUND']);
    const unlinkSeat =
      'mutation ($input: UnlinkLeaderFromSummitInput!) { unlinkLeaderFromSummit(input: $input) { participation { status } } }';
    const seat = { input: { leaderId: ids.putin, summitId: congress } };
    expect((await execute(yoga, unlinkSeat, seat, editor)).data.unlinkLeaderFromSummit).toEqual({
      participation: { status: 'EXPECTED' },
    });
    expect(errorCodes(await execute(yoga, unlinkSeat, seat, editor))).toEqual(['NOT_FOUND']);
  });

  it('answers the story log and an entity history as connections', async () => {
    const result = await execute(
      yoga,
      `query ($sco: ID!) {
        storyEvents(first: 100, filter: { entityIds: [$sco] }) { edges { cursor node { sequence kind entity entityId changes { field before after } } } }
        summit(slug: "sco-summit-samarkand-2022") { history { edges { node { sequence label } } } }
      }`,
      { sco: ids.sco },
    );
    expect(result.errors).toBeUndefined();
    const log = result.data.storyEvents.edges.map((edge: any) => edge.node);
    const history = result.data.summit.history.edges.map((edge: any) => edge.node);
    expect(log.length).toBeGreaterThanOrEqual(1);
    expect(log.every((event: any) => event.entityId === ids.sco && event.entity === 'Summit')).toBe(
      true,
    );
    expect(history.map((event: any) => event.sequence)).toEqual(
      log.map((event: any) => event.sequence),
    );
    const sequences = log.map((event: any) => event.sequence);
    expect([...sequences].sort((a, b) => a - b)).toEqual(sequences);
  });
});

describe('bad input', () => {
  it.each([
    ['a malformed slug', { slug: 'Not A Slug' }],
    ['an empty name', { name: '   ' }],
    ['a multi-line title', { title: 'a\nb' }],
    ['a null for a required field', { name: null }],
  ])('refuses %s with BAD_USER_INPUT and changes nothing', async (_label, patch) => {
    const current = await db.leader.findUniqueOrThrow({ where: { slug: 'xi-jinping' } });
    const before = await eventCount();
    const result = await execute(
      yoga,
      'mutation ($input: UpdateLeaderInput!) { updateLeader(input: $input) { leader { name } } }',
      { input: { id: ids.xi, expectedVersion: current.version, patch } },
      editor,
    );
    expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
    expect(await db.leader.findUniqueOrThrow({ where: { id: current.id } })).toEqual(current);
    expect(await eventCount()).toBe(before);
  });

  it('refuses an end date before the start, a bad URL, a taken slug and an unknown ID', async () => {
    const summit = await db.summit.findUniqueOrThrow({
      where: { slug: 'sco-summit-samarkand-2022' },
    });
    const dates = await execute(
      yoga,
      UPDATE_SUMMIT,
      { input: { id: ids.sco, expectedVersion: summit.version, patch: { endsOn: '2022-09-01' } } },
      editor,
    );
    expect(errorCodes(dates)).toEqual(['BAD_USER_INPUT']);
    const article = await db.article.findFirstOrThrow();
    const url = await execute(
      yoga,
      'mutation ($input: UpdateArticleInput!) { updateArticle(input: $input) { article { url } } }',
      {
        input: {
          id: ids.article,
          expectedVersion: article.version,
          patch: { url: 'javascript:alert(1)' },
        },
      },
      editor,
    );
    expect(errorCodes(url)).toEqual(['BAD_USER_INPUT']);
    const taken = await execute(
      yoga,
      UPDATE_SUMMIT,
      {
        input: {
          id: ids.sco,
          expectedVersion: summit.version,
          patch: { slug: 'eastern-economic-forum-2022' },
        },
      },
      editor,
    );
    expect(errorCodes(taken)).toEqual(['CONFLICT']);
    const ghost = await execute(
      yoga,
      UPDATE_SUMMIT,
      {
        input: {
          id: Buffer.from('Summit:424242').toString('base64'),
          expectedVersion: 1,
          patch: { status: 'CONFIRMED' },
        },
      },
      editor,
    );
    expect(errorCodes(ghost)).toEqual(['NOT_FOUND']);
    const wrongType = await execute(
      yoga,
      UPDATE_SUMMIT,
      { input: { id: ids.putin, expectedVersion: 1, patch: { status: 'CONFIRMED' } } },
      editor,
    );
    expect(errorCodes(wrongType)).toEqual(['BAD_USER_INPUT']);
    expect(await db.summit.findUniqueOrThrow({ where: { id: summit.id } })).toEqual(summit);
  });
});

describe('tokens on HTTP', () => {
  const mutation =
    'mutation ($input: UpdateLeaderInput!) { updateLeader(input: $input) { leader { version } } }';
  const input = () => ({ input: { id: ids.xi, expectedVersion: 1, patch: { description: 'x' } } });

  it('refuses mutations without a token, with a reader token, and with bad or expired tokens', async () => {
    expect(errorCodes(await execute(yoga, mutation, input()))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await execute(yoga, mutation, input(), reader))).toEqual(['FORBIDDEN']);
    const expired = await tokenFor('editor', { expiresIn: Math.floor(Date.now() / 1000) - 60 });
    const expiredResult = await execute(yoga, mutation, input(), expired);
    expect(errorCodes(expiredResult)).toEqual(['UNAUTHENTICATED']);
    expect(expiredResult.status).toBe(401);
    expect(expiredResult.errors?.[0]?.message).toMatch(/expired/);
    const forged = await tokenFor('admin', {
      secret: 'some-other-secret-that-is-long-enough-0000',
    });
    expect(errorCodes(await execute(yoga, mutation, input(), forged))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await execute(yoga, mutation, input(), 'not.a.jwt'))).toEqual([
      'UNAUTHENTICATED',
    ]);
  });

  it('lets anonymous readers query unless configured otherwise', async () => {
    expect((await execute(yoga, '{ leader(slug: "xi-jinping") { name } }')).data.leader.name).toBe(
      'Xi Jinping',
    );
    const closed = testApp({
      auth: { secret: 'storygraph-test-secret-0123456789abcdef0123456789', anonymousReads: false },
    });
    const anonymous = await execute(closed.yoga, '{ leader(slug: "xi-jinping") { name } }');
    expect(errorCodes(anonymous)).toEqual(['UNAUTHENTICATED']);
    const withToken = await execute(
      closed.yoga,
      '{ leader(slug: "xi-jinping") { name } }',
      {},
      reader,
    );
    expect(withToken.data.leader.name).toBe('Xi Jinping');
  });
});
