// Measures the embedded database's footprint, as a newcomer meets it: the time from spawning the
// server on an empty DATA_DIR until /health answers, and the memory the server holds once it has
// started and answered a few queries. Several runs; prints each and the median.
//   npm run -s measure:embedded [-- --runs 3] [--reopen] [--compiled] [--json]
// --reopen also times a second start on the same (now populated) DATA_DIR.
// --compiled measures `node dist/src/main.js` (run `npm run build` first) instead of `npm start`'s
// command. RSS is summed over the server and every process it started.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { descendants, freePort } from '../tests/helpers/net.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    reopen: { type: 'boolean', default: false },
    compiled: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(
    'usage: npm run -s measure:embedded -- [--runs N] [--reopen] [--compiled] [--json]\n' +
      '  first start on an empty DATA_DIR until /health answers, then RSS after a few queries',
  );
  process.exit(0);
}

const root = resolve(import.meta.dirname, '..');
// `npm start`'s command (`exec` there only hands the shell's process to node), run with this Node (without npm itself, whose own memory is not the server's).
const startScript: string[] = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
  .scripts.start.replace(/^exec\s+/, '')
  .split(/\s+/);
const entry = values.compiled
  ? ['dist/src/main.js']
  : startScript[0] === 'node'
    ? startScript.slice(1)
    : [join(root, 'node_modules/tsx/dist/cli.mjs'), ...startScript.slice(1)];

const QUERIES = [
  '{ summit(slug: "sco-summit-samarkand-2022") { id name participants { edges { node { id status leader { id name } } } } } }',
  '{ articles(first: 20) { edges { node { id headline leaders { edges { node { leader { id name memberships { edges { node { organization { id acronym } } } } } } } } } } } }',
  '{ search(query: "Putin", first: 5) { __typename ... on Leader { id name } ... on Article { id headline } } }',
  '{ storyEvents(first: 50) { edges { node { sequence label } } } }',
];

/** Resident memory of `pid` and of every process below it, in MB, and their CPU time (Linux). */
function treeRssMb(pid: number): { rss: number; peak: number; cpuMs: number } {
  let rss = 0;
  let peak = 0;
  let ticks = 0;
  for (const current of [pid, ...descendants(pid)]) {
    try {
      // utime, stime, cutime, cstime: CPU this process and its waited-for children used.
      const stat = readFileSync(`/proc/${current}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += [11, 12, 13, 14].reduce((sum, index) => sum + Number(fields[index]), 0);
      const status = readFileSync(`/proc/${current}/status`, 'utf8');
      rss += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
      peak += Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
    } catch {
      // The process ended while we looked.
    }
  }
  // Linux reports CPU time in clock ticks of 10 ms (USER_HZ = 100).
  return { rss: Math.round(rss), peak: Math.round(peak), cpuMs: ticks * 10 };
}

interface Run {
  firstStartMs: number;
  /** CPU time the server used until /health answered: less sensitive to a busy machine. */
  firstStartCpuMs: number;
  reopenMs?: number;
  steadyRssMb: number;
  peakRssMb: number;
}

async function startServer(dataDir: string) {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, entry, {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: '',
      REDIS_URL: '',
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The server's output, kept for the error message if it does not start.
  let errors = '';
  const keep = (chunk: Buffer) => {
    errors = (errors + chunk).slice(-4000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited:\n${errors}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the server did not answer /health within 120 s:\n${errors}`);
    }
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((done) => setTimeout(done, 20));
  }
  const readyMs = Math.round(performance.now() - started);
  const readyCpuMs = treeRssMb(child.pid as number).cpuMs;
  const stop = async () => {
    child.kill('SIGTERM');
    await exited;
  };
  return { child, port, readyMs, readyCpuMs, stop };
}

async function measureOnce(): Promise<Run> {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'storygraph-measure-')), 'data');
  try {
    const server = await startServer(dataDir);
    const pid = server.child.pid as number;
    try {
      for (let round = 0; round < 5; round++) {
        for (const query of QUERIES) {
          const response = await fetch(`http://127.0.0.1:${server.port}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query }),
          });
          const body = (await response.json()) as { errors?: unknown };
          if (body.errors) throw new Error(`query failed: ${JSON.stringify(body.errors)}`);
        }
      }
      // Steady: sampled over two seconds after the queries, the largest sample counts.
      let steady = 0;
      let peak = 0;
      for (let sample = 0; sample < 5; sample++) {
        await new Promise((done) => setTimeout(done, 400));
        const now = treeRssMb(pid);
        steady = Math.max(steady, now.rss);
        peak = Math.max(peak, now.peak);
      }
      const run: Run = {
        firstStartMs: server.readyMs,
        firstStartCpuMs: server.readyCpuMs,
        steadyRssMb: steady,
        peakRssMb: peak,
      };
      await server.stop();
      if (values.reopen) {
        const again = await startServer(dataDir);
        run.reopenMs = again.readyMs;
        await again.stop();
      }
      return run;
    } finally {
      if (server.child.exitCode === null) server.child.kill('SIGKILL');
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const median = (numbers: number[]) => {
  const sorted = [...numbers].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

const runs: Run[] = [];
for (let index = 0; index < Number(values.runs); index++) {
  const run = await measureOnce();
  runs.push(run);
  if (!values.json) {
    console.log(
      `run ${index + 1}: first start ${run.firstStartMs} ms (${run.firstStartCpuMs} ms CPU)` +
        (run.reopenMs !== undefined ? `, reopen ${run.reopenMs} ms` : '') +
        `, steady RSS ${run.steadyRssMb} MB, peak RSS ${run.peakRssMb} MB`,
    );
  }
}
const summary = {
  command: `node ${entry.join(' ')}`,
  runs,
  median: {
    firstStartMs: median(runs.map((run) => run.firstStartMs)),
    firstStartCpuMs: median(runs.map((run) => run.firstStartCpuMs)),
    steadyRssMb: median(runs.map((run) => run.steadyRssMb)),
    peakRssMb: median(runs.map((run) => run.peakRssMb)),
    ...(values.reopen ? { reopenMs: median(runs.map((run) => run.reopenMs as number)) } : {}),
  },
};
if (values.json) console.log(JSON.stringify(summary, null, 2));
else
  console.log(
    `median of ${runs.length} (${summary.command}): first start ${summary.median.firstStartMs} ms ` +
      `(${summary.median.firstStartCpuMs} ms CPU), ` +
      `steady RSS ${summary.median.steadyRssMb} MB, peak RSS ${summary.median.peakRssMb} MB` +
      (values.reopen ? `, reopen ${summary.median.reopenMs} ms` : ''),
  );
