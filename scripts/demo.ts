// Plays the story's next developments against a running server, a few seconds apart, so that a
// subscription (in GraphiQL, say) shows them arriving.
//   npm run demo                      (server at http://localhost:4000/graphql)
//   STORYGRAPH_URL=… DEMO_DELAY_MS=1000 TOKEN=… npm run demo
import { resolveSecret, signToken } from '../src/core/auth.ts';
import { getEnv } from '../src/infra/env.ts';

const url = process.env.STORYGRAPH_URL ?? 'http://localhost:4000/graphql';
const delayMs = Number(process.env.DEMO_DELAY_MS ?? 3000);
const token =
  process.env.TOKEN ||
  (await signToken('editor', resolveSecret(getEnv()).secret, {
    expiresIn: '1h',
    subject: 'demo',
  }));

// biome-ignore lint/suspicious/noExplicitAny: the demo reads loosely typed answers
async function gql<T = any>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as {
    data?: T;
    errors?: { message: string; extensions?: { code?: string } }[];
  };
  if (body.errors?.length) {
    const [error] = body.errors;
    throw new Error(`${error?.extensions?.code ?? 'ERROR'}: ${error?.message}`);
  }
  return body.data as T;
}

const ids = await gql(`{
  xi: leader(slug: "xi-jinping") { id }
  putin: leader(slug: "vladimir-putin") { id }
  summit: summit(slug: "sco-summit-samarkand-2022") { id }
}`);

const summitVersion = async () =>
  (
    await gql('query ($id: ID!) { node(id: $id) { ... on Summit { version } } }', {
      id: ids.summit.id,
    })
  ).node.version;

async function updateSummit(patch: Record<string, unknown>) {
  await gql(
    'mutation ($input: UpdateSummitInput!) { updateSummit(input: $input) { summit { status } } }',
    {
      input: { id: ids.summit.id, expectedVersion: await summitVersion(), patch },
    },
  );
}

/**
 * Sets a leader's participation in the summit: a change of an existing one goes through
 * updateParticipation with its version (linking again with another status is a CONFLICT), and a
 * new one is linked.
 */
async function participate(leader: string, status: string, note: string) {
  const { node } = await gql(
    'query ($id: ID!) { node(id: $id) { ... on Summit { participants(first: 100) { edges { node { id version leader { id } } } } } } }',
    { id: ids.summit.id },
  );
  const existing = node.participants.edges
    .map((edge: { node: { id: string; version: number; leader: { id: string } } }) => edge.node)
    .find((participation: { leader: { id: string } }) => participation.leader.id === leader);
  if (existing) {
    await gql(
      'mutation ($input: UpdateParticipationInput!) { updateParticipation(input: $input) { participation { status } } }',
      { input: { id: existing.id, expectedVersion: existing.version, patch: { status, note } } },
    );
    return;
  }
  await gql(
    'mutation ($input: LinkLeaderToSummitInput!) { linkLeaderToSummit(input: $input) { participation { status } } }',
    { input: { leaderId: leader, summitId: ids.summit.id, status, note } },
  );
}

const steps: [string, () => Promise<void>][] = [
  [
    'The Kremlin confirms that Putin will meet Xi in Samarkand',
    async () => {
      await participate(
        ids.putin.id,
        'CONFIRMED',
        'The Kremlin confirmed the meeting with Xi Jinping.',
      );
      await participate(ids.xi.id, 'CONFIRMED', 'Beijing confirmed the trip to Central Asia.');
      await updateSummit({ status: 'CONFIRMED' });
    },
  ],
  [
    'The summit opens in Samarkand',
    () => updateSummit({ status: 'IN_PROGRESS', endsOn: '2022-09-16' }),
  ],
  [
    'Xi and Putin meet on 15 September',
    async () => {
      const existing = await gql('{ article(slug: "xi-and-putin-meet-in-samarkand") { id } }');
      let articleId = existing.article?.id as string | undefined;
      if (!articleId) {
        const created = await gql(
          'mutation ($input: CreateArticleInput!) { createArticle(input: $input) { article { id } } }',
          {
            input: {
              slug: 'xi-and-putin-meet-in-samarkand',
              headline: 'Xi and Putin hold talks on the sidelines of the SCO summit',
              summary:
                'The two leaders met in Samarkand, their first meeting in person since the invasion of Ukraine.',
              body: 'Xi Jinping and Vladimir Putin met in Samarkand on the first day of the SCO summit.',
              source: 'storygraph demo',
              publishedAt: '2022-09-15T12:00:00.000Z',
            },
          },
        );
        articleId = created.createArticle.article.id as string;
      }
      for (const [field, id] of [
        ['leaderId', ids.xi.id],
        ['leaderId', ids.putin.id],
      ] as const) {
        await gql(
          'mutation ($input: LinkLeaderToArticleInput!) { linkLeaderToArticle(input: $input) { article { id } } }',
          {
            input: { articleId, [field]: id },
          },
        );
      }
      await gql(
        'mutation ($input: LinkSummitToArticleInput!) { linkSummitToArticle(input: $input) { article { id } } }',
        {
          input: { articleId, summitId: ids.summit.id },
        },
      );
      await participate(ids.xi.id, 'ATTENDED', 'Met Vladimir Putin on 15 September.');
      await participate(ids.putin.id, 'ATTENDED', 'Met Xi Jinping on 15 September.');
    },
  ],
  ['The summit concludes', () => updateSummit({ status: 'CONCLUDED' })],
];

for (const [index, [title, step]] of steps.entries()) {
  if (index > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
  await step();
  console.info(`${index + 1}/${steps.length} ${title}`);
}
