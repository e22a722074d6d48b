import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { alive, descendants, freePort, portTaken, waitUntil } from './helpers/net.ts';

// `npm start` as a process manager or a terminal runs it: npm, the shell npm starts, the server.
// A signal to npm (what a process manager sends) or to the whole foreground process group (what
// Ctrl-C in a terminal sends) must stop the server, free its port and leave no process behind.
const root = resolve(import.meta.dirname, '..');
const scratch = mkdtempSync(join(tmpdir(), 'storygraph-npm-start-'));
// Every process seen under an `npm start`: a server orphaned by a failing test is no longer a
// descendant of npm, so it is remembered by pid and killed here.
const leftovers = new Set<number>();

afterAll(() => {
  for (const pid of leftovers) {
    try {
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone, as it should be.
    }
  }
  rmSync(scratch, { recursive: true, force: true });
});

async function npmStart() {
  const port = await freePort();
  // detached: its own process group, as a terminal gives a foreground job.
  const npm = spawn('npm', ['start'], {
    cwd: root,
    detached: true,
    env: {
      ...process.env,
      DATABASE_URL: '',
      REDIS_URL: '',
      DATA_DIR: join(scratch, 'data'),
      PORT: String(port),
      HOST: '127.0.0.1',
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (npm.pid) leftovers.add(npm.pid);
  let output = '';
  npm.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  npm.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<void>((done) => npm.once('exit', () => done()));
  await waitUntil(
    async () => {
      if (npm.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
      return fetch(`http://127.0.0.1:${port}/health`).then(
        (response) => response.ok,
        () => false,
      );
    },
    150_000,
    '/health',
  );
  const pid = npm.pid as number;
  const processes = [pid, ...descendants(pid)];
  for (const each of processes) leftovers.add(each);
  return { npm, pid, port, processes, exited, output: () => output };
}

describe('npm start', () => {
  it('stops cleanly when the npm process gets SIGTERM: port freed, no process left', async () => {
    const server = await npmStart();
    // npm, the shell or not, and the server itself: at least npm and node.
    expect(server.processes.length).toBeGreaterThanOrEqual(2);
    process.kill(server.pid, 'SIGTERM');
    await waitUntil(() => server.processes.every((pid) => !alive(pid)), 30_000, 'every process');
    await server.exited;
    expect(await portTaken(server.port)).toBe(false);
    expect(server.output()).toContain('"msg":"closed"');
  }, 200_000);

  it('stops cleanly on Ctrl-C (SIGINT to the process group): port freed, no process left', async () => {
    const server = await npmStart();
    process.kill(-server.pid, 'SIGINT');
    await waitUntil(() => server.processes.every((pid) => !alive(pid)), 30_000, 'every process');
    await server.exited;
    expect(await portTaken(server.port)).toBe(false);
    expect(server.output()).toContain('"msg":"closed"');
  }, 200_000);
});
