// The body of one analysis thread (see analysis-pool.ts): the same pure analysis, off the event
// loop. Structured cloning carries the article (its Date included) in and the analysis out.
import { type Analysis, type ArticleText, analyzeArticle } from './analyze.ts';
import type { KnownEntities } from './known.ts';

export default function analyze(task: { article: ArticleText; known: KnownEntities }): Analysis {
  return analyzeArticle(task.article, task.known);
}
