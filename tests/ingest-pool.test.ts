// The analysis pool's bounds: the time budget (ANALYSIS_TIMEOUT, nothing written) and the queue
// bound (SERVICE_UNAVAILABLE for one article more than the queue holds), each just under and over.
import { describe, expect, it } from 'vitest';
import { HOSTILE_BODIES } from '../bench/ingest-load.ts';
import { startApp, tokenFor } from './helpers/app.ts';
import { errorCodes, execute } from './helpers/graphql.ts';

const INGEST = `mutation ($input: IngestArticleInput!) {
  ingestArticle(input: $input) { created article { id } }
}`;
const article = (n: number | string, body = 'Vladimir Putin will meet Xi Jinping next week.') => ({
  headline: `Pool test ${n}`,
  body,
  publishedAt: '2022-09-07T00:00:00Z',
  url: `https://pool.example/${n}`,
});
const LONG = HOSTILE_BODIES[0] as string;

async function counts(app: Awaited<ReturnType<typeof startApp>>) {
  const result = await execute(
    app.yoga,
    '{ articles(first: 1) { totalCount } storyEvents(last: 1) { edges { node { sequence } } } }',
  );
  return {
    articles: result.data.articles.totalCount as number,
    head: (result.data.storyEvents.edges[0]?.node.sequence ?? 0) as number,
  };
}

describe('the analysis pool', () => {
  it('stops an analysis past its budget with ANALYSIS_TIMEOUT and writes nothing', async () => {
    const editor = await tokenFor('editor');
    // 1 ms: not even a thread starts in time.
    const strict = await startApp({ analysis: { budgetMs: 1 } });
    const before = await counts(strict);
    const late = await execute(strict.yoga, INGEST, { input: article('late') }, editor);
    expect(errorCodes(late)).toEqual(['ANALYSIS_TIMEOUT']);
    expect(late.errors?.[0]?.extensions?.budgetMs).toBe(1);
    expect(await counts(strict)).toEqual(before);
    // Within a budget the same article is stored.
    const roomy = await startApp({ analysis: { budgetMs: 10_000 } });
    const stored = await execute(roomy.yoga, INGEST, { input: article('late') }, editor);
    expect(errorCodes(stored)).toEqual([]);
    expect(stored.data.ingestArticle.created).toBe(true);
  });

  it('queues at most maxQueue articles and refuses one more with SERVICE_UNAVAILABLE', async () => {
    const editor = await tokenFor('editor');
    const app = await startApp({ analysis: { threads: 1, maxQueue: 2 } });
    // Start the thread, so that the next article runs at once and the others wait.
    expect(errorCodes(await execute(app.yoga, INGEST, { input: article('warm') }, editor))).toEqual(
      [],
    );
    // Just under: one running and two waiting.
    const under = await Promise.all(
      [1, 2, 3].map((n) =>
        execute(app.yoga, INGEST, { input: article(`under-${n}`, LONG) }, editor),
      ),
    );
    expect(under.map(errorCodes)).toEqual([[], [], []]);
    // Just over: one running, two waiting, one refused.
    const over = await Promise.all(
      [1, 2, 3, 4].map((n) =>
        execute(app.yoga, INGEST, { input: article(`over-${n}`, LONG) }, editor),
      ),
    );
    const codes = over.map(errorCodes);
    expect(codes.filter((c) => c.length === 0)).toHaveLength(3);
    expect(codes.filter((c) => c.length > 0)).toEqual([['SERVICE_UNAVAILABLE']]);
  });
});
