import { beforeAll, describe, expect, it } from 'vitest';
import { testApp } from './helpers/app.ts';
import { db } from './helpers/database.ts';
import { errorCodes, execute } from './helpers/graphql.ts';

const { yoga } = testApp();
const run = (query: string, variables?: Record<string, unknown>) => execute(yoga, query, variables);

describe('the seeded story', () => {
  it('answers the summit query with Xi and Putin expected in Samarkand', async () => {
    const result = await run(`{
      summit(slug: "sco-summit-samarkand-2022") {
        name city country startsOn startsOnPrecision status
        participants { totalCount edges { node { status leader { name slug } } } }
        organizer { acronym }
      }
    }`);
    expect(result.errors).toBeUndefined();
    const summit = result.data.summit;
    expect(summit).toMatchObject({
      city: 'Samarkand',
      country: 'Uzbekistan',
      startsOn: '2022-09-15',
      startsOnPrecision: 'DAY',
      status: 'ANNOUNCED',
      organizer: { acronym: 'SCO' },
    });
    expect(summit.participants.totalCount).toBe(2);
    expect(
      summit.participants.edges.map((edge: any) => [edge.node.leader.name, edge.node.status]),
    ).toEqual([
      ['Xi Jinping', 'EXPECTED'],
      ['Vladimir Putin', 'EXPECTED'],
    ]);
  });

  it('serves leaders, organizations and the article by their contract slugs', async () => {
    const result = await run(`{
      xi: leader(slug: "xi-jinping") { name aliases title country slug }
      li: leader(slug: "li-zhanshu") { name memberships { edges { node { role organization { slug } } } } }
      sco: organization(slug: "shanghai-cooperation-organization") { name acronym memberStates slug kind }
      nato: organization(slug: "nato") { acronym memberStates }
      eef: summit(slug: "eastern-economic-forum-2022") { city participants { edges { node { leader { slug } status } } } }
      article(slug: "xi-and-putin-to-meet-at-sco-summit") { headline publishedAt version slug }
      missing: leader(slug: "nobody") { name }
    }`);
    expect(result.errors).toBeUndefined();
    const data = result.data;
    expect(data.xi).toMatchObject({ name: 'Xi Jinping', country: 'China', slug: 'xi-jinping' });
    expect(data.xi.aliases).toEqual(expect.arrayContaining(['Xi', 'President Xi']));
    expect(data.li.memberships.edges[0].node).toEqual({
      role: "Member; China's number three leader",
      organization: { slug: 'ccp-politburo-standing-committee' },
    });
    expect(data.sco).toMatchObject({ acronym: 'SCO', kind: 'INTERGOVERNMENTAL' });
    expect(data.sco.memberStates).toEqual([
      'China',
      'India',
      'Kazakhstan',
      'Kyrgyzstan',
      'Pakistan',
      'Russia',
      'Tajikistan',
      'Uzbekistan',
    ]);
    expect(data.nato.memberStates).toHaveLength(30);
    expect(data.eef.city).toBe('Vladivostok');
    expect(data.eef.participants.edges).toContainEqual({
      node: { leader: { slug: 'li-zhanshu' }, status: 'ATTENDED' },
    });
    expect(data.article).toEqual({
      headline: expect.stringContaining('Xi and Putin'),
      publishedAt: '2022-09-07T00:00:00.000Z',
      // Created, then one version per mention the seed linked, as an editor's links would.
      version: expect.any(Number),
      slug: 'xi-and-putin-to-meet-at-sco-summit',
    });
    expect(data.missing).toBeNull();
  });

  it('links the article to every entity of the story, with spans that match its body', async () => {
    const result = await run(`{
      article(slug: "xi-and-putin-to-meet-at-sco-summit") {
        body
        leaders { totalCount edges { node { leader { slug } spans { start end text } } } }
        organizations { totalCount edges { node { organization { slug } spans { start end text } } } }
        summits { totalCount edges { node { summit { slug } spans { text } } } }
      }
    }`);
    expect(result.errors).toBeUndefined();
    const article = result.data.article;
    expect(article.leaders.totalCount).toBe(3);
    expect(article.organizations.totalCount).toBe(5);
    expect(article.summits.totalCount).toBe(3);
    const spans = [...article.leaders.edges, ...article.organizations.edges].flatMap(
      (edge: any) => edge.node.spans,
    );
    expect(spans.length).toBeGreaterThan(10);
    for (const span of spans) expect(article.body.slice(span.start, span.end)).toBe(span.text);
    const putin = article.leaders.edges.find(
      (edge: any) => edge.node.leader.slug === 'vladimir-putin',
    );
    expect(putin.node.spans[0].text).toBe('Vladimir Putin');
    const slugs = article.summits.edges.map((edge: any) => edge.node.summit.slug);
    expect(slugs).toEqual([
      'sco-summit-samarkand-2022',
      'eastern-economic-forum-2022',
      'ccp-national-congress-2022',
    ]);
  });

  it('navigates article → leaders → memberships → organization → summits and back', async () => {
    const result = await run(`{
      article(slug: "xi-and-putin-to-meet-at-sco-summit") {
        leaders(first: 1) { edges { node { leader {
          name
          memberships { edges { node { organization { slug summits { edges { node { slug mentions { edges { node { article { slug } } } } } } } } } } }
        } } } }
      }
    }`);
    expect(result.errors).toBeUndefined();
    const xi = result.data.article.leaders.edges[0].node.leader;
    expect(xi.name).toBe('Xi Jinping');
    const sco = xi.memberships.edges
      .map((edge: any) => edge.node.organization)
      .find((org: any) => org.slug === 'shanghai-cooperation-organization');
    expect(sco.summits.edges[0].node.slug).toBe('sco-summit-samarkand-2022');
    expect(sco.summits.edges[0].node.mentions.edges[0].node.article.slug).toBe(
      'xi-and-putin-to-meet-at-sco-summit',
    );
  });
});

describe('global IDs', () => {
  let putinId: string;
  beforeAll(async () => {
    const result = await run('{ leader(slug: "vladimir-putin") { id } }');
    putinId = result.data.leader.id;
  });

  it('fetches any object through node and nodes, in the order asked', async () => {
    const summit = await run('{ summit(slug: "sco-summit-samarkand-2022") { id } }');
    const result = await run(
      `query ($ids: [ID!]!, $id: ID!) {
        node(id: $id) { __typename ... on Leader { name } }
        nodes(ids: $ids) { __typename id ... on Summit { city } ... on Leader { country } }
      }`,
      { id: putinId, ids: [summit.data.summit.id, putinId] },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data.node).toEqual({ __typename: 'Leader', name: 'Vladimir Putin' });
    expect(result.data.nodes).toEqual([
      { __typename: 'Summit', id: summit.data.summit.id, city: 'Samarkand' },
      { __typename: 'Leader', id: putinId, country: 'Russia' },
    ]);
  });

  it('refuses more than 100 IDs in nodes', async () => {
    const ids = Array.from({ length: 101 }, (_, i) =>
      Buffer.from(`Leader:${i + 1}`).toString('base64'),
    );
    const result = await run('query ($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids });
    expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
  });

  it('returns null for a well-formed ID that names nothing', async () => {
    const ghost = Buffer.from('Leader:99999').toString('base64');
    const result = await run('query ($id: ID!) { node(id: $id) { id } }', { id: ghost });
    expect(result.errors).toBeUndefined();
    expect(result.data.node).toBeNull();
  });

  it.each([
    ['not base64 at all', '%%%'],
    ['an unknown type', Buffer.from('Spaceship:1').toString('base64')],
    ['a non-numeric id', Buffer.from('Leader:abc').toString('base64')],
    ['an empty string', ''],
  ])('rejects %s with BAD_USER_INPUT', async (_label, id) => {
    const result = await run('query ($id: ID!) { node(id: $id) { id } }', { id });
    expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
    expect(result.errors?.[0]?.message).toContain('not a valid ID');
    expect(JSON.stringify(result)).not.toMatch(/at .*\.ts:\d+/);
  });
});

describe('connections', () => {
  it('pages forwards and backwards with stable cursors', async () => {
    const all = await run(
      '{ organizations(first: 100) { totalCount edges { cursor node { slug } } } }',
    );
    const slugs = all.data.organizations.edges.map((edge: any) => edge.node.slug);
    expect(all.data.organizations.totalCount).toBe(5);
    expect(slugs).toHaveLength(5);

    const first = await run(
      '{ organizations(first: 2) { pageInfo { hasNextPage endCursor } edges { node { slug } } } }',
    );
    expect(first.data.organizations.edges.map((edge: any) => edge.node.slug)).toEqual(
      slugs.slice(0, 2),
    );
    expect(first.data.organizations.pageInfo.hasNextPage).toBe(true);

    const second = await run(
      'query ($after: String) { organizations(first: 2, after: $after) { edges { node { slug } } } }',
      {
        after: first.data.organizations.pageInfo.endCursor,
      },
    );
    expect(second.data.organizations.edges.map((edge: any) => edge.node.slug)).toEqual(
      slugs.slice(2, 4),
    );

    const last = await run(
      '{ organizations(last: 2) { pageInfo { hasPreviousPage startCursor } edges { node { slug } } } }',
    );
    expect(last.data.organizations.edges.map((edge: any) => edge.node.slug)).toEqual(
      slugs.slice(3),
    );
    const before = await run(
      'query ($before: String) { organizations(last: 1, before: $before) { edges { node { slug } } } }',
      {
        before: last.data.organizations.pageInfo.startCursor,
      },
    );
    expect(before.data.organizations.edges.map((edge: any) => edge.node.slug)).toEqual([slugs[2]]);
  });

  it('refuses a page larger than 100 with a clear error', async () => {
    const result = await run('{ leaders(first: 1000) { edges { node { name } } } }');
    expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
    expect(result.errors?.[0]?.message).toMatch(/at most 100/);
    const nested = await run(
      '{ leader(slug: "xi-jinping") { memberships(last: 101) { edges { node { role } } } } }',
    );
    expect(errorCodes(nested)).toEqual(['BAD_USER_INPUT']);
  });

  it('refuses an unknown cursor and a negative page size', async () => {
    const cursor = await run(
      '{ leaders(first: 1, after: "bm90LWEtY3Vyc29y") { edges { node { name } } } }',
    );
    expect(errorCodes(cursor)).toEqual(['BAD_USER_INPUT']);
    const negative = await run('{ leaders(first: -1) { edges { node { name } } } }');
    expect(errorCodes(negative)).toEqual(['BAD_USER_INPUT']);
  });

  it('rejects filters of the wrong type before running anything', async () => {
    const result = await run(
      '{ summits(filter: { startsOnOrAfter: 42 }) { edges { node { name } } } }',
    );
    expect(result.errors?.length).toBeGreaterThan(0);
    expect(errorCodes(result).every((code) => typeof code === 'string')).toBe(true);
    const badDate = await run(
      'query ($d: Date) { summits(filter: { startsOnOrAfter: $d }) { totalCount } }',
      {
        d: '2022-02-30',
      },
    );
    expect(errorCodes(badDate)).toEqual(['BAD_USER_INPUT']);
    const inverted = await run(
      '{ summits(filter: { startsOnOrAfter: "2022-10-01", startsOnOrBefore: "2022-09-01" }) { totalCount } }',
    );
    expect(errorCodes(inverted)).toEqual(['BAD_USER_INPUT']);
  });

  it('filters summits by status, date range, participant and organization', async () => {
    const ids = await run(`{
      putin: leader(slug: "vladimir-putin") { id }
      sco: organization(slug: "shanghai-cooperation-organization") { id }
    }`);
    const result = await run(
      `query ($putin: ID!, $sco: ID!) {
        september: summits(filter: { startsOnOrAfter: "2022-09-01", startsOnOrBefore: "2022-09-30" }) { edges { node { slug } } }
        expected: summits(filter: { status: [EXPECTED, ANNOUNCED] }) { edges { node { slug } } }
        withPutin: summits(filter: { participant: $putin }, orderBy: { field: STARTS_ON, direction: DESC }) { edges { node { slug } } }
        bySco: summits(filter: { organization: $sco }) { edges { node { slug } } }
        byText: summits(filter: { text: "samarkand" }) { edges { node { slug } } }
      }`,
      { putin: ids.data.putin.id, sco: ids.data.sco.id },
    );
    expect(result.errors).toBeUndefined();
    const slugs = (key: string) => result.data[key].edges.map((edge: any) => edge.node.slug);
    expect(slugs('september')).toEqual([
      'eastern-economic-forum-2022',
      'sco-summit-samarkand-2022',
    ]);
    expect(slugs('expected')).toEqual(['sco-summit-samarkand-2022', 'ccp-national-congress-2022']);
    expect(slugs('withPutin')).toEqual([
      'sco-summit-samarkand-2022',
      'eastern-economic-forum-2022',
    ]);
    expect(slugs('bySco')).toEqual(['sco-summit-samarkand-2022']);
    expect(slugs('byText')).toEqual(['sco-summit-samarkand-2022']);
  });

  it('filters leaders, organizations and articles', async () => {
    const ids = await run(
      '{ li: leader(slug: "li-zhanshu") { id } psc: organization(slug: "ccp-politburo-standing-committee") { id } }',
    );
    const result = await run(
      `query ($li: ID!, $psc: ID!) {
        chinese: leaders(filter: { country: "China" }, orderBy: { field: NAME }) { edges { node { slug } } }
        psc: leaders(filter: { organization: $psc }) { edges { node { slug } } }
        alias: leaders(filter: { text: "President Xi" }) { edges { node { slug } } }
        india: organizations(filter: { memberState: "India" }) { edges { node { slug } } }
        alliances: organizations(filter: { kind: ALLIANCE }) { edges { node { slug } } }
        aboutLi: articles(filter: { mentioning: $li }) { totalCount }
        tooLate: articles(filter: { publishedAfter: "2022-09-08T00:00:00Z" }) { totalCount }
      }`,
      { li: ids.data.li.id, psc: ids.data.psc.id },
    );
    expect(result.errors).toBeUndefined();
    const slugs = (key: string) => result.data[key].edges.map((edge: any) => edge.node.slug);
    expect(slugs('chinese')).toEqual(['li-zhanshu', 'xi-jinping']);
    expect(slugs('psc')).toEqual(['xi-jinping', 'li-zhanshu']);
    expect(slugs('alias')).toEqual(['xi-jinping']);
    expect(slugs('india')).toEqual(['shanghai-cooperation-organization']);
    expect(slugs('alliances')).toEqual(['nato']);
    expect(result.data.aboutLi.totalCount).toBe(1);
    expect(result.data.tooLate.totalCount).toBe(0);
  });
});

describe('search', () => {
  it('ranks entities and articles by full-text relevance', async () => {
    const result = await run(`{
      putin: search(query: "Putin", first: 5) { __typename ... on Leader { slug } ... on Article { slug } }
      bri: search(query: "\\"Belt and Road\\"") { __typename ... on Organization { slug } ... on Article { slug } }
      meeting: search(query: "meeting zero-covid") { __typename ... on Article { slug } }
      nothing: search(query: "Atlantis") { __typename }
    }`);
    expect(result.errors).toBeUndefined();
    expect(result.data.putin[0]).toEqual({ __typename: 'Leader', slug: 'vladimir-putin' });
    expect(result.data.putin.map((hit: any) => hit.__typename)).toContain('Article');
    expect(result.data.bri[0]).toEqual({
      __typename: 'Organization',
      slug: 'belt-and-road-initiative',
    });
    expect(result.data.meeting).toEqual([
      { __typename: 'Article', slug: 'xi-and-putin-to-meet-at-sco-summit' },
    ]);
    expect(result.data.nothing).toEqual([]);
  });

  it('refuses an empty query and a page over 100', async () => {
    expect(errorCodes(await run('{ search(query: "  ") { __typename } }'))).toEqual([
      'BAD_USER_INPUT',
    ]);
    expect(errorCodes(await run('{ search(query: "Xi", first: 101) { __typename } }'))).toEqual([
      'BAD_USER_INPUT',
    ]);
  });
});

describe('errors', () => {
  it('masks a real unexpected error as INTERNAL_SERVER_ERROR, without a stack or SQL', async () => {
    // Break the schema under the server (this file's private database), then put it back.
    await db.$executeRawUnsafe('ALTER TABLE "Leader" RENAME COLUMN "title" TO "title_gone"');
    try {
      const result = await run('{ leader(slug: "xi-jinping") { name title } }');
      expect(result.errors?.map((error) => error.extensions?.code)).toEqual([
        'INTERNAL_SERVER_ERROR',
      ]);
      expect(result.errors?.[0]?.message).toBe('Unexpected error.');
      const text = JSON.stringify(result);
      for (const leak of ['stack', 'title_gone', 'Prisma', 'does not exist', '.ts:']) {
        expect(text).not.toContain(leak);
      }
    } finally {
      await db.$executeRawUnsafe('ALTER TABLE "Leader" RENAME COLUMN "title_gone" TO "title"');
    }
  });

  it('refuses queries nested beyond the depth limit', async () => {
    let selection = 'name';
    for (let i = 0; i < 8; i += 1) {
      selection = `memberships(first: 1) { edges { node { leader { ${selection} } } } }`;
    }
    const result = await run(`{ leader(slug: "xi-jinping") { ${selection} } }`);
    expect(errorCodes(result)).toEqual(['QUERY_TOO_COMPLEX']);
  });
});

describe('list orders', () => {
  it('sort every list by every order field, both ways, with ties broken by creation', async () => {
    for (const [list, type] of [
      ['leaders', 'Leader'],
      ['organizations', 'Organization'],
      ['summits', 'Summit'],
      ['articles', 'Article'],
    ] as const) {
      const fields = (
        await run(`{ __type(name: "${type}OrderField") { enumValues { name } } }`)
      ).data.__type.enumValues.map((value: { name: string }) => value.name);
      expect(fields.length).toBeGreaterThan(1);
      for (const field of fields) {
        const [up, down] = await Promise.all(
          ['ASC', 'DESC'].map((direction) =>
            run(
              `{ ${list}(first: 100, orderBy: { field: ${field}, direction: ${direction} }) { edges { node { id } } } }`,
            ),
          ),
        );
        expect(up?.errors, `${list} by ${field}`).toBeUndefined();
        const ids = (result: typeof up) => result?.data[list].edges.map((e: any) => e.node.id);
        expect(ids(up).length).toBeGreaterThan(0);
        // Every key, `id` included, flips with the direction: one order is the other reversed.
        expect(ids(down)).toEqual([...ids(up)].reverse());
      }
    }
  });
});
