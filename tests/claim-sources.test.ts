import { describe, expect, it } from 'vitest';
import { analyzeArticle } from '../src/story/ingest/analyze.ts';
import { clusterClaims, findClaims } from '../src/story/ingest/find-claims.ts';
import type { ClaimDraft } from '../src/story/occurrences.ts';
import { fixtureKnownEntities } from './helpers/claim-scoring.ts';

// Who a claim comes from when the sayer is not in its clause, and which claims of one article
// describe one occurrence when it also tells of earlier ones (tuned on tests/fixtures/ingest/13–20).

const { known, slugOf } = fixtureKnownEntities();
const read = (body: string, headline = '', publishedAt = '2024-06-19T12:00:00Z') => {
  const article = { headline, body, publishedAt: new Date(publishedAt) };
  const analysis = analyzeArticle(article, known);
  const claims = findClaims(article, analysis, { known });
  const source = (c: ClaimDraft) =>
    c.attribution === null ? null : (analysis.attributions[c.attribution]?.span.text ?? null);
  return { claims, clusters: clusterClaims(claims), source };
};
const who = (c: ClaimDraft) => c.participants.map(slugOf).sort().join(',');

describe('the source of a claim', () => {
  it('keeps every word of a headline’s “North Korean state media”', () => {
    const { claims, source } = read(
      'Kim Jong Un met Vladimir Putin on Wednesday.',
      'Kim Jong Un meets Vladimir Putin at spaceport: North Korean state media',
    );
    expect(claims.map(source)).toEqual(['North Korean state media', 'North Korean state media']);
  });

  it('gives each sentence of a quotation the speaker named after it', () => {
    const { claims, source } = read(
      'Vladimir Putin spoke on Monday. “President Putin will travel to Pyongyang soon. The invitation was accepted,” Kremlin aide Yuri Ushakov said.',
    );
    expect(claims.map((c) => [c.kind, source(c)])).toEqual([
      ['VISIT', 'Kremlin aide Yuri Ushakov'],
    ]);
  });

  it('reads “he said” as the person quoted last in the paragraph', () => {
    const { claims, source } = read(
      'Foreign Secretary Vinay Kwatra told reporters that Narendra Modi had no new deals with Vladimir Putin. He said Narendra Modi will meet Vladimir Putin again in October.',
    );
    expect(claims.map((c) => [c.kind, c.modality, source(c)])).toEqual([
      // A named official's word: CONFIRMED (tests/fixtures/ingest/README.md).
      ['MEETING', 'CONFIRMED', 'Foreign Secretary Vinay Kwatra'],
    ]);
  });

  it('finds “officials from …”, “officials say” and “according to a …” as sources', () => {
    const cases: [string, string][] = [
      [
        'Joe Biden will meet Fumio Kishida at the White House, officials from the three countries said.',
        'officials from the three countries',
      ],
      ['Turkish officials say Recep Tayyip Erdoğan will host Vladimir Putin.', 'Turkish officials'],
      [
        'Joe Biden will not meet Xi Jinping again, according to a senior administration official.',
        'senior administration official',
      ],
    ];
    for (const [body, sayer] of cases) {
      const { claims, source } = read(body);
      expect(claims.map(source), body).toEqual([sayer]);
    }
  });

  it('does not date a claim by the day of the statement that reports it', () => {
    const { claims } = read(
      'Recep Tayyip Erdoğan will host Vladimir Putin in Turkey, the Turkish presidency said in a statement on Monday.',
    );
    expect(claims.map((c) => c.when)).toEqual([null]);
  });
});

describe('“the two leaders” and occurrences of one article', () => {
  it('lets a clause without a subject continue the two leaders of the clause before', () => {
    const { claims } = read(
      'Vladimir Putin arrived in Pyongyang on Wednesday to see Kim Jong Un. The two leaders held talks and then signed a treaty.',
    );
    expect(claims.slice(1).map((c) => [c.kind, who(c)])).toEqual([
      ['TALKS', 'leader:kim-jong-un,leader:vladimir-putin'],
      ['SIGNING', 'leader:kim-jong-un,leader:vladimir-putin'],
    ]);
  });

  it('keeps talks without a date apart from a meeting of the same pair months before the story', () => {
    const { claims, clusters } = read(
      'Vladimir Putin arrived in Pyongyang on Wednesday. Vladimir Putin and Kim Jong Un held talks. The two leaders last met in September 2023.',
    );
    expect(claims.map((c) => c.kind)).toEqual(['VISIT', 'TALKS', 'MEETING']);
    expect(clusters).toEqual([[0], [1], [2]]);
  });

  it('reads “again” as another occurrence, and a city and its country on one day as one visit', () => {
    const lima = read(
      'Joe Biden met Xi Jinping in Lima on Saturday. Joe Biden will not meet Xi Jinping again before leaving office.',
      '',
      '2024-11-17T00:00:00Z',
    );
    expect(lima.clusters).toEqual([[0], [1]]);
    const moscow = read(
      'Narendra Modi arrived in Moscow on Monday, his first trip to Russia since 2019.',
      '',
      '2024-07-09T00:00:00Z',
    );
    expect(moscow.claims.map((c) => c.place)).toEqual(['Moscow', 'Russia']);
    expect(moscow.clusters).toEqual([[0, 1]]);
  });
});
