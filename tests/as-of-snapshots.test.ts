// `asOf` at every position of the seeded story and of the demo's steps (scripts/demo.ts, run as
// a process against a real server) answers exactly what tests/fixtures/as-of/seed-demo.jsonl
// stored: one line per position, from the empty story at 0 to the demo's last event. The answers
// were read once and checked by eye; regenerate with UPDATE_AS_OF_SNAPSHOTS=1 after a deliberate
// change, and read the diff.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { startApp, tokenFor } from './helpers/app.ts';
import { db } from './helpers/database.ts';
import { ROOT } from './helpers/processes.ts';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'as-of', 'seed-demo.jsonl');

/** What each position is asked: the story's main records, with their links and history. */
const QUERY = `query ($sequence: Int!) {
  asOf(point: { sequence: $sequence }) {
    sequence
    summit(slug: "sco-summit-samarkand-2022") {
      name status startsOn endsOn version description
      organizer { slug }
      participants(first: 20) { totalCount edges { node { status note leader { slug } } } }
      history(first: 3) { edges { node { sequence kind label } } }
    }
    xi: leader(slug: "xi-jinping") {
      name title version
      memberships(first: 10) { edges { node { role organization { slug } } } }
    }
    putin: leader(slug: "vladimir-putin") { name title version }
    leaders(first: 1) { totalCount }
    articles(first: 1) { totalCount }
    occurrences(first: 1) { totalCount }
    timeline(first: 10) {
      edges { node { when { from to precision } status claimCount subject { id } } }
    }
    article(slug: "xi-and-putin-meet-in-samarkand") {
      headline version
      mentions(first: 10) { edges { node { matchedBy entity { id } } } }
    }
  }
}`;

const run = promisify(execFile);

describe('asOf at every position of the seed and the demo', () => {
  it('answers what was stored for each position', async () => {
    const app = await startApp();
    const token = await tokenFor('editor');
    await run(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], {
      cwd: ROOT,
      env: { ...process.env, STORYGRAPH_URL: app.url, TOKEN: token, DEMO_DELAY_MS: '0' },
    });
    const head = (await db.storyHead.findUniqueOrThrow({ where: { id: 1 } })).sequence;
    const lines: string[] = [];
    for (let sequence = 0; sequence <= head; sequence += 1) {
      const response = await fetch(app.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: QUERY, variables: { sequence } }),
      });
      const body = (await response.json()) as { data?: unknown; errors?: unknown };
      expect(body.errors, `at ${sequence}`).toBeUndefined();
      lines.push(JSON.stringify(body.data));
    }
    if (process.env.UPDATE_AS_OF_SNAPSHOTS === '1') {
      mkdirSync(dirname(FIXTURE), { recursive: true });
      writeFileSync(FIXTURE, `${lines.join('\n')}\n`);
    }
    expect(existsSync(FIXTURE), 'the stored answers (UPDATE_AS_OF_SNAPSHOTS=1 writes them)').toBe(
      true,
    );
    const stored = readFileSync(FIXTURE, 'utf8').trimEnd().split('\n');
    expect(lines.length).toBe(stored.length);
    for (const [sequence, line] of lines.entries()) {
      expect(JSON.parse(line), `at ${sequence}`).toEqual(JSON.parse(stored[sequence] as string));
    }
    // The stored story moves: the summit appears, is confirmed, opens and concludes.
    const statuses = stored.map((line) => JSON.parse(line).asOf.summit?.status ?? null);
    expect(statuses[0]).toBeNull();
    expect([...new Set(statuses.filter(Boolean))].slice(-3)).toEqual([
      'CONFIRMED',
      'IN_PROGRESS',
      'CONCLUDED',
    ]);
  }, 120_000);
});
