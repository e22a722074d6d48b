// Claims through ingestion, end to end (src/story/ingest/store.ts → story/claims.ts): the seed
// article (in this project's words, tests/fixtures/claims/) gives its claims as occurrence
// proposals, nothing is created silently, accepting the Xi–Putin proposal takes the article's
// three claims about that meeting; a later article reporting that the meeting took place attaches
// to it and moves it to OCCURRED, which subscribers of occurrenceUpdated and storyEvents see once,
// in order.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startApp, tokenFor, waitForSubscribers } from './helpers/app.ts';
import { collect, wsClient } from './helpers/clients.ts';
import { execute, idsBySlug } from './helpers/graphql.ts';
import { FIXTURES_DIR, readLabelledArticles } from './helpers/ingest-fixtures.ts';

const app = await startApp();
let editor: string;
let putin: string;
const [seed] = readLabelledArticles(() => true, join(FIXTURES_DIR, '..', 'claims'));
if (!seed) throw new Error('tests/fixtures/claims/seed-xi-putin.txt is missing');

const CLAIM = `id modality rank confidence
  participants { ... on Leader { slug } ... on Organization { slug } }
  when { from to precision }
  partOf { ... on Summit { slug } }
  attributedTo { source { name kind } }
  evidence { exact prefix suffix inHeadline span { start end text } }
  occurrence { id }`;

const INGEST = `mutation Ingest($input: IngestArticleInput!) {
  ingestArticle(input: $input) {
    article { id }
    claims { ${CLAIM} }
    occurrenceProposals { id }
  }
}`;

const OCCURRENCE = `id kind status sourceCount
  when { from to precision }
  partOf { ... on Summit { slug } }
  participants { entity { ... on Leader { slug } } }
  claims(first: 10) { edges { node { modality article { headline } } } }`;

beforeAll(async () => {
  editor = await tokenFor('editor');
  ({ putin } = await idsBySlug(app.yoga, { putin: ['leader', 'vladimir-putin'] }));
});

const who = (claim: any) =>
  claim.participants
    .map((p: any) => p.slug)
    .sort()
    .join(',');

describe('claims from ingestion', () => {
  let articleId: string;
  let claims: any[];
  let occurrenceId: string;

  it('the seed article gives its claims as proposals, each with its evidence', async () => {
    const result = await execute(
      app.yoga,
      INGEST,
      {
        input: {
          headline: seed.headline,
          body: seed.body,
          publishedAt: seed.publishedAt,
          source: 'Wire report',
        },
      },
      editor,
    );
    expect(result.errors).toBeUndefined();
    articleId = result.data.ingestArticle.article.id;
    claims = result.data.ingestArticle.claims;
    // No occurrence is known yet: every claim is a proposal.
    expect(result.data.ingestArticle.occurrenceProposals).toHaveLength(claims.length);
    expect(claims.map((c) => [c.modality, who(c)])).toEqual(
      seed.claims.map((label) => [
        label.modality,
        label.participants
          .map((p) => p.split(':')[1])
          .sort()
          .join(','),
      ]),
    );
    const headline = claims[0];
    expect(headline).toMatchObject({
      modality: 'PLANNED',
      when: { from: '2022-09-12', to: '2022-09-18', precision: 'WEEK' },
      evidence: { inHeadline: true },
      occurrence: null,
    });
    expect(headline.attributedTo.source.name).toBe('Russian state media');
    for (const claim of claims) {
      const text = claim.evidence.inHeadline ? seed.headline : seed.body;
      const { start, end } = claim.evidence.span;
      expect(text.slice(start, end)).toBe(claim.evidence.exact);
      expect(text.slice(Math.max(0, start - 32), start)).toBe(claim.evidence.prefix);
      expect(text.slice(end, end + 32)).toBe(claim.evidence.suffix);
    }
  });

  it('accepting the Xi–Putin proposal takes the three claims about that meeting', async () => {
    const headline = claims[0];
    const result = await execute(
      app.yoga,
      `mutation ($input: AcceptOccurrenceProposalInput!) {
        acceptOccurrenceProposal(input: $input) { occurrence { ${OCCURRENCE} } }
      }`,
      { input: { articleId, proposalId: headline.id } },
      editor,
    );
    expect(result.errors).toBeUndefined();
    const occurrence = result.data.acceptOccurrenceProposal.occurrence;
    occurrenceId = occurrence.id;
    expect(occurrence).toMatchObject({
      kind: 'MEETING',
      status: 'EXPECTED',
      sourceCount: 1,
      when: { from: '2022-09-12', to: '2022-09-18', precision: 'WEEK' },
      partOf: { slug: 'sco-summit-samarkand-2022' },
    });
    expect(occurrence.participants.map((p: any) => p.entity.slug).sort()).toEqual([
      'vladimir-putin',
      'xi-jinping',
    ]);
    expect(occurrence.claims.edges.map((e: any) => e.node.modality).sort()).toEqual([
      'EXPECTED',
      'EXPECTED',
      'PLANNED',
    ]);
    // The other claims stay proposals.
    const left = await execute(
      app.yoga,
      '{ nodes(ids: []) { id } }'
        .replace('[]', JSON.stringify(claims.map((c) => c.id)))
        .replace('{ id }', '{ id ... on Claim { occurrence { id } } }'),
    );
    const open = left.data.nodes.filter((n: any) => n.occurrence === null);
    expect(open).toHaveLength(claims.length - 3);
  });

  it('a later report that the meeting took place attaches to it and moves it to OCCURRED, seen once and in order', async () => {
    const onOccurrence = collect(
      wsClient(app.url),
      'subscription ($id: ID!) { occurrenceUpdated(id: $id) { id status sourceCount } }',
      { id: occurrenceId },
    );
    const onPutin = collect(
      wsClient(app.url),
      'subscription ($who: ID!) { storyEvents(filter: { mentioning: $who }) { sequence label entity } }',
      { who: putin },
    );
    await waitForSubscribers(app, 2);
    const later = await execute(
      app.yoga,
      INGEST,
      {
        input: {
          headline: 'Xi and Putin meet in Samarkand',
          body: 'Chinese leader Xi Jinping and Russian President Vladimir Putin met in Samarkand on Thursday, on the sidelines of the SCO summit, their first talks in person since the invasion of Ukraine.',
          publishedAt: '2022-09-19T08:00:00.000Z',
          source: 'Wire report',
        },
      },
      editor,
    );
    expect(later.errors).toBeUndefined();
    const reported = later.data.ingestArticle.claims.find(
      (c: any) => c.modality === 'REPORTED' && who(c) === 'vladimir-putin,xi-jinping',
    );
    expect(reported?.occurrence?.id).toBe(occurrenceId);
    const [update] = await onOccurrence.waitFor(1);
    expect(update).toMatchObject({ id: occurrenceId, status: 'OCCURRED', sourceCount: 2 });
    await onPutin.waitFor(1);
    const occurred = await execute(
      app.yoga,
      `query ($id: ID!) { node(id: $id) { ... on Occurrence { ${OCCURRENCE} } } }`,
      {
        id: occurrenceId,
      },
    );
    expect(occurred.data.node.status).toBe('OCCURRED');
    expect(occurred.data.node.claims.edges).toHaveLength(4);
    // Each event once, in order of the log.
    const sequences = onPutin.items.map((event: any) => event.sequence);
    expect(new Set(sequences).size).toBe(sequences.length);
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
    const labels = onPutin.items.map((event: any) => event.label);
    expect(labels.filter((label: string) => label === 'OCCURRENCE_OCCURRED')).toHaveLength(1);
    expect(labels).toContain('CLAIM_RECORDED');
    // occurrenceUpdated sends the occurrence as it stands after each of its events: the claim's
    // attachment and the status change; it never shows an earlier status after OCCURRED.
    await onOccurrence.waitFor(2);
    expect(onOccurrence.items.map((item: any) => item.status)).toEqual(['OCCURRED', 'OCCURRED']);
  });
});
