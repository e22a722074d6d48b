import { Writable } from 'node:stream';
import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../src/plugins/limits.ts';
import { MAX_URL_BYTES } from '../src/schema/inputs.ts';
import { MAX_SPANS_PER_MENTION } from '../src/story/mentions.ts';
import { testApp, tokenFor } from './helpers/app.ts';
import { errorCodes, execute } from './helpers/graphql.ts';

const { yoga } = testApp();
let editor: string;
beforeAll(async () => {
  editor = await tokenFor('editor');
});
const run = (query: string, variables?: Record<string, unknown>) =>
  execute(yoga, query, variables, editor);

describe('input that used to reach the database', () => {
  it('refuses a NUL character in any string argument, in variables or literals', async () => {
    const cases: [string, Record<string, unknown>?][] = [
      ['query ($s: String!) { leader(slug: $s) { name } }', { s: 'xi\u0000' }],
      ['query ($s: String!) { search(query: $s) { __typename } }', { s: 'Xi\u0000' }],
      ['query ($id: ID!) { node(id: $id) { id } }', { id: 'TGVhZGVyOjE=\u0000' }],
      ['{ leader(slug: "xi\\u0000") { name } }'],
      ['{ summits(filter: { country: "Uzbek\\u0000istan" }) { totalCount } }'],
    ];
    for (const [query, variables] of cases) {
      const result = await run(query, variables);
      expect(errorCodes(result), query).toEqual(['BAD_USER_INPUT']);
      expect(result.errors?.[0]?.message).toMatch(/NUL/);
    }
    // The same requests without the NUL are fine.
    expect((await run('{ leader(slug: "xi-jinping") { name } }')).data.leader.name).toBe(
      'Xi Jinping',
    );
  });

  it('takes a URL of 2,048 UTF-8 bytes and refuses one byte more, on createArticle and ingestArticle', async () => {
    // 15 bytes of prefix, then two-byte letters: the limit is in bytes, the index's unit.
    const url = (bytes: number) =>
      `https://x.test/${'ж'.repeat(Math.floor((bytes - 15) / 2))}${(bytes - 15) % 2 ? 'a' : ''}`;
    expect(Buffer.byteLength(url(MAX_URL_BYTES))).toBe(2048);
    expect(Buffer.byteLength(url(MAX_URL_BYTES + 1))).toBe(2049);
    const create = (value: string, slug: string) =>
      run(
        'mutation ($input: CreateArticleInput!) { createArticle(input: $input) { article { url } } }',
        {
          input: {
            slug,
            headline: 'Long link',
            source: 'Test',
            publishedAt: '2022-09-07T00:00:00Z',
            url: value,
          },
        },
      );
    const ingest = (value: string, headline: string) =>
      run('mutation ($input: IngestArticleInput!) { ingestArticle(input: $input) { created } }', {
        input: {
          headline,
          body: 'Xi Jinping spoke.',
          publishedAt: '2022-09-07T00:00:00Z',
          url: value,
        },
      });
    const stored = await create(url(MAX_URL_BYTES), 'long-link-under');
    expect(errorCodes(stored)).toEqual([]);
    expect(stored.data.createArticle.article.url).toBe(url(MAX_URL_BYTES));
    expect(errorCodes(await ingest(`${url(MAX_URL_BYTES - 1)}b`, 'Long link ingested'))).toEqual(
      [],
    );
    for (const value of [url(MAX_URL_BYTES + 1), `https://x.test/${'ж'.repeat(1_995)}`]) {
      const created = await create(value, 'long-link-over');
      expect(errorCodes(created)).toEqual(['BAD_USER_INPUT']);
      expect(created.errors?.[0]?.message).toMatch(/at most 2048 bytes/);
      expect(errorCodes(await ingest(value, 'Long link refused'))).toEqual(['BAD_USER_INPUT']);
    }
  });

  it('refuses year 0000 in Date and DateTime, and takes year 0001', async () => {
    const dates = 'query ($d: Date) { summits(filter: { startsOnOrAfter: $d }) { totalCount } }';
    const times =
      'query ($t: DateTime) { articles(filter: { publishedAfter: $t }) { totalCount } }';
    expect(errorCodes(await run(dates, { d: '0000-01-01' }))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await run(times, { t: '0000-06-01T00:00:00.000Z' }))).toEqual([
      'BAD_USER_INPUT',
    ]);
    expect(
      errorCodes(
        await run('{ summits(filter: { startsOnOrAfter: "0000-12-31" }) { totalCount } }'),
      ),
    ).toEqual(['BAD_USER_INPUT']);
    expect((await run(dates, { d: '0001-01-01' })).errors).toBeUndefined();
    expect((await run(times, { t: '0001-01-01T00:00:00.000Z' })).errors).toBeUndefined();
    expect((await run(dates, { d: '9999-12-31' })).errors).toBeUndefined();
  });

  it('takes an input list of 1,000 items and refuses 1,001 and 70,000', async () => {
    const query = 'query ($s: [SummitStatus!]) { summits(filter: { status: $s }) { totalCount } }';
    const max = DEFAULT_LIMITS.maxListItems;
    const ok = await run(query, { s: Array(max).fill('ANNOUNCED') });
    expect(ok.errors).toBeUndefined();
    expect(ok.data.summits.totalCount).toBeGreaterThan(0);
    for (const length of [max + 1, 70_000]) {
      const result = await run(query, { s: Array(length).fill('ANNOUNCED') });
      expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
      expect(result.errors?.[0]?.message).toContain(`at most ${max} items`);
    }
  });

  it('names the field in the CONFLICT for a taken slug', async () => {
    const result = await run(
      'mutation ($input: CreateLeaderInput!) { createLeader(input: $input) { leader { id } } }',
      { input: { name: 'Someone', slug: 'xi-jinping', title: 'A title', country: 'China' } },
    );
    expect(errorCodes(result)).toEqual(['CONFLICT']);
    expect(result.errors?.[0]?.message).toBe('Another record already has this slug.');
    expect(result.errors?.[0]?.extensions?.fields).toEqual(['slug']);
  });
});

describe('mention spans', () => {
  let articleId: string;
  let body: string;
  const leaders: string[] = [];

  beforeAll(async () => {
    body = 'word '.repeat(120).trim(); // 599 characters, spans of 4 at every 5th
    const article = await run(
      'mutation ($input: CreateArticleInput!) { createArticle(input: $input) { article { id } } }',
      {
        input: {
          slug: 'spans-under-test',
          headline: 'Spans under test',
          source: 'Test wire',
          publishedAt: '2022-09-10T00:00:00.000Z',
          body,
        },
      },
    );
    expect(article.errors).toBeUndefined();
    articleId = article.data.createArticle.article.id;
    for (let i = 0; i < 8; i += 1) {
      const created = await run(
        'mutation ($input: CreateLeaderInput!) { createLeader(input: $input) { leader { id } } }',
        { input: { name: `Span ${i}`, slug: `span-leader-${i}`, title: 'T', country: 'C' } },
      );
      expect(created.errors).toBeUndefined();
      leaders.push(created.data.createLeader.leader.id);
    }
  });

  const link = (leader: number, spans: { start: number; end: number }[]) =>
    run(
      'mutation ($input: LinkLeaderToArticleInput!) { linkLeaderToArticle(input: $input) { article { leaders { edges { node { spans { start end text } } } } } } }',
      { input: { articleId, leaderId: leaders[leader], spans } },
    );
  const words = (count: number) =>
    Array.from({ length: count }, (_, i) => ({ start: i * 5, end: i * 5 + 4 }));

  it(`takes ${MAX_SPANS_PER_MENTION} spans and refuses ${MAX_SPANS_PER_MENTION + 1}`, async () => {
    const over = await link(0, words(MAX_SPANS_PER_MENTION + 1));
    expect(errorCodes(over)).toEqual(['BAD_USER_INPUT']);
    expect(over.errors?.[0]?.message).toMatch(/at most 100 spans/);
    const ok = await link(0, words(MAX_SPANS_PER_MENTION));
    expect(ok.errors).toBeUndefined();
    const stored = ok.data.linkLeaderToArticle.article.leaders.edges[0].node.spans;
    expect(stored).toHaveLength(MAX_SPANS_PER_MENTION);
    expect(stored[99]).toEqual({ start: 495, end: 499, text: 'word' });
  });

  it('refuses empty, reversed, overlapping and out-of-body spans, and takes one ending at the body end', async () => {
    const bad = [
      [{ start: 3, end: 3 }],
      [{ start: 4, end: 2 }],
      [
        { start: 0, end: 4 },
        { start: 3, end: 8 },
      ],
      [{ start: 590, end: body.length + 1 }],
    ];
    for (const [index, spans] of bad.entries()) {
      const result = await link(1 + index, spans);
      expect(errorCodes(result), JSON.stringify(spans)).toEqual(['BAD_USER_INPUT']);
    }
    // Nothing was written by the refused calls: the same leaders link fine afterwards.
    const touching = await link(1, [
      { start: 5, end: 9 },
      { start: 0, end: 5 },
      { start: body.length - 4, end: body.length },
    ]);
    expect(touching.errors).toBeUndefined();
  });
});

describe('the log', () => {
  it("records a client's mistakes at info with their code, and no stack trace", async () => {
    const lines: { level: number; msg: string; code?: string; err?: unknown }[] = [];
    const logger = pino(
      { level: 'debug' },
      new Writable({
        write(chunk, _encoding, done) {
          lines.push(JSON.parse(String(chunk)));
          done();
        },
      }),
    );
    const app = testApp({ logger });
    const editor = await tokenFor('editor');
    const post = (body: string, headers: Record<string, string> = {}) =>
      app.yoga.fetch('http://storygraph.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
    await post('{bad json');
    expect((await post('x'.repeat(DEFAULT_LIMITS.maxRequestBytes + 1))).status).toBe(413);
    const invalid = await post(
      JSON.stringify({
        query:
          'mutation { createArticle(input: { slug: "a", headline: "h", source: "s", publishedAt: "2022-09-01T00:00:00Z", url: "ftp://x" }) { article { id } } }',
      }),
      { authorization: `Bearer ${editor}` },
    );
    expect(
      ((await invalid.json()) as { errors: { extensions: { code: string } }[] }).errors[0]
        ?.extensions.code,
    ).toBe('BAD_USER_INPUT');
    expect(lines.filter((line) => line.level >= 40)).toEqual([]);
    expect(lines.some((line) => 'err' in line)).toBe(false);
    const mistakes = lines.filter((line) => line.msg.startsWith('client error:'));
    expect(mistakes.map((line) => line.msg)).toEqual(
      expect.arrayContaining([
        'client error: POST body sent invalid JSON.',
        'client error: Request body too large',
      ]),
    );
    expect(mistakes.every((line) => line.level === 30 && line.code === 'BAD_USER_INPUT')).toBe(
      true,
    );
  });
});
