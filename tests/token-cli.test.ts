import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');

function token(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/token.ts', ...args], {
    cwd: root,
    env: { ...process.env, JWT_SECRET: '', NODE_ENV: 'development' },
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('npm run token', () => {
  it('prints its usage for --help and -h, exit 0, no stack trace', () => {
    for (const flag of ['--help', '-h']) {
      const result = token(flag);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^usage: npm run -s token -- /);
      expect(result.stdout).toContain('--role ROLE');
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  }, 60_000);

  it('names an unknown option, prints the usage, exits 2 without a stack trace', () => {
    const result = token('--bogus');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Unknown option '--bogus'");
    expect(result.stderr).toContain('usage: npm run -s token');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stdout).toBe('');
  }, 60_000);

  it('refuses a malformed --expires with the usage, and signs a good one', () => {
    const bad = token('--expires', 'soon');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--expires');
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    const good = token('--role', 'admin', '--expires', '1h');
    expect(good.code).toBe(0);
    expect(good.stdout.trim().split('.')).toHaveLength(3);
  }, 60_000);
});
