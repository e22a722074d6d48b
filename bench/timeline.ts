// The timeline part of the benchmark: 1,000 entries (occurrences and summits, written through
// Prisma with many ties on day, precision and creation time), `timeline(first: 50)` timed over
// HTTP from one client, and a walk over every page that must see each entry once, in order.
import { openPostgres } from '../src/infra/db.ts';
import { compareTimeline, decodeTimelineCursor, type TimelineKey } from '../src/story/timeline.ts';
import { percentile, postRaw } from './lib.ts';

/** How many entries the part writes: occurrences and summits. */
export const TIMELINE_SIZE = { occurrences: 800, summits: 200 };

export const QUERY_TIMELINE = `query Timeline($after: String) {
  timeline(first: 50, after: $after) {
    edges {
      cursor
      node {
        when { from to precision }
        status
        claimCount
        subject { id ... on Occurrence { slug kind } ... on Summit { slug name } }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}`;

const DAY_MS = 86_400_000;
const START = Date.UTC(2022, 0, 1);
const OCCURRENCE_PRECISIONS = ['DAY', 'WEEK', 'MONTH', 'PART_OF_YEAR', 'YEAR', 'DECADE'] as const;
const SPAN_DAYS = { DAY: 0, WEEK: 6, MONTH: 29, PART_OF_YEAR: 90, YEAR: 364, DECADE: 3652 };
const SUMMIT_PRECISIONS = ['DAY', 'MONTH', 'YEAR'] as const;
const KINDS = ['MEETING', 'VISIT', 'TALKS', 'CALL', 'SIGNING', 'OTHER'] as const;

/**
 * Writes the entries, the same every run: 120 distinct first days shared by many entries, each
 * precision on each, and creation times that repeat every seven rows, so every tiebreak of the
 * order is exercised.
 */
export async function seedTimeline(url: string): Promise<void> {
  const database = openPostgres(url, 2);
  const createdAt = (i: number) => new Date(Date.UTC(2022, 0, 1, 0, 0, i % 7));
  try {
    await database.prisma.occurrence.createMany({
      data: Array.from({ length: TIMELINE_SIZE.occurrences }, (_, i) => {
        const precision = OCCURRENCE_PRECISIONS[i % OCCURRENCE_PRECISIONS.length] ?? 'DAY';
        const from = START + (i % 120) * DAY_MS;
        return {
          slug: `bench-occurrence-${i}`,
          kind: KINDS[i % KINDS.length] ?? 'OTHER',
          status: 'ANNOUNCED' as const,
          whenFrom: new Date(from),
          whenTo: new Date(from + SPAN_DAYS[precision] * DAY_MS),
          whenPrecision: precision,
          createdAt: createdAt(i),
        };
      }),
    });
    await database.prisma.summit.createMany({
      data: Array.from({ length: TIMELINE_SIZE.summits }, (_, i) => ({
        slug: `bench-summit-${i}`,
        name: `Bench summit ${i}`,
        city: 'Samarkand',
        country: 'Uzbekistan',
        startsOn: new Date(START + ((i * 7) % 120) * DAY_MS),
        startsOnPrecision: SUMMIT_PRECISIONS[i % SUMMIT_PRECISIONS.length] ?? 'DAY',
        status: 'EXPECTED' as const,
        createdAt: createdAt(i),
      })),
    });
  } finally {
    await database.close();
  }
}

/** Times `timeline(first: 50)` from one client, one request after another. */
export async function timeTimeline(
  url: string,
  requests: number,
  warmup: number,
): Promise<{ p50Ms: number; p95Ms: number; p99Ms: number; requests: number }> {
  const latencies: number[] = [];
  for (let i = 0; i < warmup + requests; i += 1) {
    const started = performance.now();
    const body = await postRaw(url, QUERY_TIMELINE);
    const elapsed = performance.now() - started;
    if (i === 0 && !body.startsWith('{"data":{"timeline":{"edges":[{')) {
      throw new Error(`timeline answered ${body.slice(0, 300)}`);
    }
    if (i >= warmup) latencies.push(elapsed);
  }
  latencies.sort((a, b) => a - b);
  const at = (p: number) => Math.round(percentile(latencies, p) * 10) / 10;
  return { p50Ms: at(50), p95Ms: at(95), p99Ms: at(99), requests };
}

/**
 * Walks every page of 50 and checks the walk: every entry once, `expected` of them, each after
 * the one before it. Returns what went wrong (empty when nothing did).
 */
export async function walkTimeline(url: string, expected: number): Promise<string[]> {
  const problems: string[] = [];
  const seen = new Set<string>();
  let previous: TimelineKey | undefined;
  let after: string | null = null;
  for (let page = 0; page < 1000; page += 1) {
    const body = JSON.parse(await postRaw(url, QUERY_TIMELINE, { after }));
    if (body.errors) return [`page ${page}: ${JSON.stringify(body.errors)}`];
    const { edges, pageInfo } = body.data.timeline;
    for (const edge of edges as { cursor: string; node: { subject: { id: string } } }[]) {
      if (seen.has(edge.node.subject.id)) problems.push(`${edge.node.subject.id} seen twice`);
      seen.add(edge.node.subject.id);
      const key = decodeTimelineCursor(edge.cursor);
      if (previous && compareTimeline(previous, key) >= 0) {
        problems.push(`${edge.node.subject.id} out of order on page ${page}`);
      }
      previous = key;
    }
    if (!pageInfo.hasNextPage) break;
    after = pageInfo.endCursor;
  }
  if (seen.size !== expected) problems.push(`walked ${seen.size} entries, not ${expected}`);
  return problems;
}
