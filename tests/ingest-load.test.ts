// Ingestion off the event loop (issue "Trust on the new surfaces"): while 4 editors ingest the
// largest accepted articles back to back, a cheap query stays fast, because the analysis runs on
// worker threads and its results are bounded. The server is a separate process, as in production.
// The goal (p99 under 50 ms) is measured by `npm run bench` (bench/RESULTS.md); this test holds a
// looser bound so that a loaded CI machine does not fail it, while the old design (the analysis
// on the event loop: 5 to 34 s) could never pass it.
import { describe, expect, it } from 'vitest';
import { HOSTILE_BODIES, measureIngestLoad } from '../bench/ingest-load.ts';
import { processToken, startApi } from './helpers/processes.ts';

const DATABASE_URL = process.env.DATABASE_URL as string;

describe('ingestion under load', () => {
  it('keeps a cheap query fast while 4 editors ingest 100,000-character articles in a loop', async () => {
    expect(HOSTILE_BODIES.every((body) => body.length === 100_000)).toBe(true);
    const api = await startApi({ DATABASE_URL });
    const result = await measureIngestLoad({
      url: api.url,
      token: await processToken('editor'),
      editors: 4,
      seconds: 8,
    });
    console.log(`ingestion load: ${JSON.stringify(result)}`);
    expect(result.errors).toEqual([]);
    expect(result.ingested).toBeGreaterThanOrEqual(8);
    expect(result.probes).toBeGreaterThan(100);
    expect(result.p99Ms).toBeLessThan(150);
  }, 120_000);
});
