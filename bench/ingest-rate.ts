// Ingestion throughput: editors ingest distinct 700-word articles, each naming about 30 of the
// benchmark's leaders, back to back; articles per second and the time each took. Used by
// `npm run bench`, which also counts the SQL statements one such article costs.
import { percentile, postRaw } from './lib.ts';

const INGEST = `mutation RateIngest($input: IngestArticleInput!) {
  ingestArticle(input: $input) { created article { id leaders { totalCount } } }
}`;

const FILLER =
  'The delegations spent the afternoon on trade, energy and transport, and officials said the talks would continue over the coming days in the capital.';

/**
 * A 700-word article naming `mentions` distinct benchmark leaders (leaders 3 onwards are called
 * "Leader N Surname"), each once, between sentences of filler; `key` makes it unique.
 */
export function benchArticle(key: string, mentions: number): { headline: string; body: string } {
  const sentences: string[] = [];
  for (let i = 0; i < mentions; i += 1) {
    sentences.push(`Leader ${3 + i} Surname met the press after the session on ${key}.`);
    sentences.push(FILLER);
  }
  let body = sentences.join(' ');
  while (body.split(/\s+/).length < 700) body += ` ${FILLER}`;
  return { headline: `Leaders meet, report ${key}`, body };
}

export interface IngestRateResult {
  clients: number;
  articles: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Leaders linked per article, from the answers (about 30 expected). */
  mentionsPerArticle: number;
  errors: string[];
}

/** `clients` editors ingest new articles back to back for `seconds`. */
export async function measureIngestRate(options: {
  url: string;
  token: string;
  clients: number;
  seconds: number;
  mentions?: number;
}): Promise<IngestRateResult> {
  const latencies: number[] = [];
  const linked: number[] = [];
  const errors: string[] = [];
  const until = Date.now() + options.seconds * 1000;
  await Promise.all(
    Array.from({ length: options.clients }, async (_, client) => {
      for (let i = 0; Date.now() < until; i += 1) {
        const key = `rate-${process.pid}-${client}-${i}`;
        const started = performance.now();
        const body = JSON.parse(
          await postRaw(
            options.url,
            INGEST,
            {
              input: {
                ...benchArticle(key, options.mentions ?? 30),
                publishedAt: '2022-09-10T08:00:00Z',
                url: `https://bench.example/${key}`,
                source: 'Bench wire',
              },
            },
            options.token,
          ),
        );
        if (body.errors) {
          errors.push(body.errors[0]?.extensions?.code ?? body.errors[0]?.message);
          continue;
        }
        latencies.push(performance.now() - started);
        linked.push(body.data.ingestArticle.article.leaders.totalCount);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return {
    clients: options.clients,
    articles: latencies.length,
    perSecond: Math.round((latencies.length / options.seconds) * 10) / 10,
    p50Ms: Math.round(percentile(latencies, 50)),
    p99Ms: Math.round(percentile(latencies, 99)),
    mentionsPerArticle: linked.length
      ? Math.round(linked.reduce((a, b) => a + b) / linked.length)
      : 0,
    errors: [...new Set(errors)],
  };
}
