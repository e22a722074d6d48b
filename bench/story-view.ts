// How quickly /story opens and how quickly an edit reaches its graph and timeline, in Debian's
// Chromium, against a server process on a scratch PostgreSQL database.
//   npx tsx bench/story-view.ts [--edits 20]
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { signToken } from '../src/core/auth.ts';

const root = resolve(import.meta.dirname, '..');
const editsAt = process.argv.indexOf('--edits');
const edits = editsAt === -1 ? 20 : Number(process.argv[editsAt + 1]);
const secret = randomBytes(32).toString('hex');
const database = `storygraph_bench_story_${process.pid}`;
const psql = (sql: string) =>
  execFileSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-qc', sql, 'postgres']);

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

function freePort(): Promise<number> {
  return new Promise((done) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => done(port));
    });
  });
}

psql(`CREATE DATABASE ${database}`);
const port = await freePort();
const origin = `http://127.0.0.1:${port}`;
const server = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
  cwd: root,
  env: {
    ...process.env,
    DATABASE_URL: `postgresql://postgres@127.0.0.1:5432/${database}`,
    JWT_SECRET: secret,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
  },
  stdio: 'inherit',
});
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
try {
  for (let ready = false; !ready; ) {
    ready = await fetch(`${origin}/ready`).then(
      (response) => response.ok,
      () => false,
    );
    if (!ready) await new Promise((done) => setTimeout(done, 100));
  }
  const token = await signToken('editor', secret);
  async function graphql(query: string, variables: Record<string, unknown> = {}) {
    const response = await fetch(`${origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: any; errors?: unknown };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  }

  const opens: number[] = [];
  let bytes = 0;
  for (let i = 0; i < 5; i += 1) {
    const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    let loaded = 0;
    page.on('response', async (response) => {
      loaded += (await response.body().catch(() => Buffer.alloc(0))).length;
    });
    const started = performance.now();
    await page.goto(`${origin}/story`);
    await page.waitForFunction(() => (window as any).storyView?.ready, null, { timeout: 30_000 });
    opens.push(performance.now() - started);
    bytes = loaded;
    await page.close();
  }

  const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
  await page.goto(`${origin}/story`);
  await page.waitForFunction(() => document.getElementById('status')?.textContent === 'live');
  const graphTimes: number[] = [];
  const timelineTimes: number[] = [];
  for (let i = 0; i < edits; i += 1) {
    const { summit } = await graphql(
      'query Current { summit(slug: "sco-summit-samarkand-2022") { id version status } }',
    );
    const status = summit.status === 'CONFIRMED' ? 'ANNOUNCED' : 'CONFIRMED';
    const started = performance.now();
    const graphDone = page.waitForFunction(
      ([id, wanted]) => (window as any).storyView.cy.getElementById(id).data('status') === wanted,
      [summit.id, status],
      { timeout: 10_000, polling: 'raf' },
    );
    const timelineDone = page.waitForFunction(
      ([id, wanted]) =>
        document.querySelector(`#timeline li[data-id="${id}"] .tag`)?.textContent ===
        wanted.toLowerCase(),
      [summit.id, status],
      { timeout: 10_000, polling: 'raf' },
    );
    await graphql(
      'mutation Toggle($input: UpdateSummitInput!) { updateSummit(input: $input) { summit { id } } }',
      { input: { id: summit.id, expectedVersion: summit.version, patch: { status } } },
    );
    await graphDone;
    graphTimes.push(performance.now() - started);
    await timelineDone;
    timelineTimes.push(performance.now() - started);
  }
  const ms = (value: number) => `${value.toFixed(0)} ms`;
  console.log(
    `open /story until drawn (5 loads): p50 ${ms(percentile(opens, 50))}, max ${ms(Math.max(...opens))}`,
  );
  console.log(`bytes loaded by /story: ${(bytes / 1024).toFixed(0)} KiB`);
  console.log(
    `edit → graph (${edits} edits): p50 ${ms(percentile(graphTimes, 50))}, p95 ${ms(percentile(graphTimes, 95))}`,
  );
  console.log(
    `edit → timeline: p50 ${ms(percentile(timelineTimes, 50))}, p95 ${ms(percentile(timelineTimes, 95))}`,
  );
} finally {
  await browser.close();
  server.kill('SIGTERM');
  await new Promise((done) => server.once('exit', done));
  psql(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
}
