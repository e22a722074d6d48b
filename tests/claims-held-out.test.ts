// Claims on the held-out articles (tests/fixtures/ingest/h*.txt): written and labelled by someone
// who had not seen the claim rules, which were frozen before (tests/claims.test.ts tunes on 01–12
// and the seed). These figures are the fair estimate, reported apart from the tuned ones. The
// issue's goals are precision ≥ 0.90, recall ≥ 0.80, modality and when ≥ 0.90, source ≥ 0.95,
// B-cubed ≥ 0.90; the floors asserted here are where the rules stand, so that a change that makes
// them worse fails (docs/ingestion.md has the figures, and which goals are met).
import { describe, expect, it } from 'vitest';
import { analyzeArticle } from '../src/story/ingest/analyze.ts';
import { clusterClaims } from '../src/story/ingest/claim-clusters.ts';
import {
  claimFigures,
  describeFigures,
  emptyTally,
  fixtureKnownEntities,
  scoreClaims,
  toScored,
} from './helpers/claim-scoring.ts';
import { readLabelledArticles } from './helpers/ingest-fixtures.ts';

/** Scores the claims ingestion finds in the held-out articles `files` picks, and prints them. */
function score(files: RegExp, title: string) {
  const { known, slugOf } = fixtureKnownEntities();
  const articles = readLabelledArticles((file) => files.test(file));
  const tally = emptyTally();
  for (const article of articles) {
    const text = { ...article, publishedAt: new Date(article.publishedAt) };
    // The claims as ingestion finds them: analyzeArticle runs the claim rules itself.
    const analysis = analyzeArticle(text, known);
    const scored = toScored(analysis.claims, analysis.attributions, slugOf);
    scoreClaims(tally, article.file, scored, article.claims, clusterClaims(analysis.claims));
  }
  console.log(describeFigures(`claims on ${articles.length} ${title}`, tally));
  return { articles: articles.length, ...claimFigures(tally) };
}

describe('claims on the held-out articles', () => {
  it('are scored against their labels, apart from the tuned ones (all of them)', () => {
    const f = score(/^h\d\d-/, 'held-out articles');
    expect(f.articles).toBeGreaterThanOrEqual(23);
    expect(f.labelled).toBeGreaterThanOrEqual(100);
    expect(f.precision).toBeGreaterThanOrEqual(0.84);
    expect(f.recall).toBeGreaterThanOrEqual(0.66);
    expect(f.whenAccuracy).toBeGreaterThanOrEqual(0.94);
    expect(f.clusteringF1).toBeGreaterThanOrEqual(0.92);
  });

  it('on h11–h16, written after the rules were frozen', () => {
    const f = score(/^h1[1-6]-/, 'held-out articles written after the freeze');
    expect(f.articles).toBe(6);
    expect(f.labelled).toBeGreaterThanOrEqual(30);
    expect(f.precision).toBeGreaterThanOrEqual(0.9);
    expect(f.recall).toBeGreaterThanOrEqual(0.8);
    expect(f.modalityAccuracy).toBeGreaterThanOrEqual(0.9);
    expect(f.whenAccuracy).toBeGreaterThanOrEqual(0.9);
  });

  it('on h17–h23, written by someone who read neither rules nor code, while the rules changed', () => {
    const f = score(/^h(1[7-9]|2[0-3])-/, 'held-out articles written with the second rules');
    expect(f.articles).toBe(7);
    expect(f.labelled).toBeGreaterThanOrEqual(30);
    // Where the rules stand on them (goals met: precision, recall, when, clustering; missed:
    // modality 0.860 and source 0.940); a change that makes any worse fails.
    expect(f.precision).toBeGreaterThanOrEqual(0.94);
    expect(f.recall).toBeGreaterThanOrEqual(0.92);
    expect(f.modalityAccuracy).toBeGreaterThanOrEqual(0.86);
    expect(f.whenAccuracy).toBeGreaterThanOrEqual(0.98);
    expect(f.sourceAccuracy).toBeGreaterThanOrEqual(0.94);
    expect(f.clusteringF1).toBeGreaterThanOrEqual(0.93);
  });

  it('on h24–h29, written later the same way', () => {
    const f = score(/^h2[4-9]-/, 'held-out articles written last');
    expect(f.articles).toBe(6);
    expect(f.labelled).toBeGreaterThanOrEqual(30);
    // Where the rules stand on them: precision, recall, when and clustering meet the goals;
    // modality (0.895) and sources (0.947) fall just short. A change that makes any worse fails.
    expect(f.precision).toBeGreaterThanOrEqual(0.92);
    expect(f.recall).toBeGreaterThanOrEqual(0.88);
    expect(f.modalityAccuracy).toBeGreaterThanOrEqual(0.89);
    expect(f.whenAccuracy).toBeGreaterThanOrEqual(0.92);
    expect(f.sourceAccuracy).toBeGreaterThanOrEqual(0.94);
    expect(f.clusteringF1).toBeGreaterThanOrEqual(0.91);
  });
});
