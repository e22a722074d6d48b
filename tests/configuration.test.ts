import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, loadEnv } from '../src/infra/env.ts';

const root = resolve(import.meta.dirname, '..');
const readme = readFileSync(join(root, 'docs', 'configuration.md'), 'utf8');

/** The rows of the configuration table (docs/configuration.md): variable → default cell. */
function tableRows(): [string, string][] {
  const section = readme.slice(readme.indexOf('# Configuration'));
  const table = section.slice(0, section.indexOf('\n\n', section.indexOf('| variable')));
  return table
    .split('\n')
    .filter((line) => /^\| `[A-Z_0-9]+`/.test(line))
    .map((line) => {
      const [variable, fallback] = line
        .split('|')
        .slice(1, 3)
        .map((cell) => cell.trim());
      return [(variable as string).replaceAll('`', ''), (fallback as string).replaceAll('`', '')];
    });
}

/** Every `process.env.NAME` read in src/ outside env.ts (main and env.ts should be the only readers). */
function otherReads(): string[] {
  const names = new Set<string>();
  const files = readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' });
  for (const file of files) {
    if (!file.endsWith('.ts') || file.startsWith('generated')) continue;
    const text = readFileSync(join(root, 'src', file), 'utf8');
    for (const match of text.matchAll(/process\.env\.([A-Z_][A-Z0-9_]*)/g)) {
      names.add(match[1] as string);
    }
  }
  return [...names];
}

describe('the configuration table in docs/', () => {
  it('lists every variable the server reads, once, and nothing else', () => {
    const listed = tableRows().map(([variable]) => variable);
    expect(new Set(listed).size).toBe(listed.length);
    const read = new Set<string>([...CONFIG_VARIABLES, ...otherReads()]);
    expect([...listed].sort()).toEqual([...read].sort());
  });

  it('gives each variable the default it really has', () => {
    const defaults = loadEnv({}) as Record<string, unknown>;
    for (const [variable, shown] of tableRows()) {
      const actual = defaults[variable];
      expect(shown, variable).toBe(actual === undefined ? 'unset' : String(actual));
    }
  });
});

describe('limits and installs the README states', () => {
  it('caps BATCHING_LIMIT at 20 (0 is off)', () => {
    expect(loadEnv({ BATCHING_LIMIT: '20' }).BATCHING_LIMIT).toBe(20);
    expect(loadEnv({ BATCHING_LIMIT: '0' }).BATCHING_LIMIT).toBe(0);
    expect(() => loadEnv({ BATCHING_LIMIT: '21' })).toThrow(/BATCHING_LIMIT/);
    expect(() => loadEnv({ BATCHING_LIMIT: '-1' })).toThrow(/BATCHING_LIMIT/);
  });

  it('gets @prisma/streams-local (the EBADENGINE warning) only through the Prisma CLI', () => {
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dependencies?: Record<string, string>; dev?: boolean }>;
    };
    const dependents = (name: string) =>
      Object.entries(lock.packages)
        .filter(([, entry]) => entry.dependencies?.[name])
        .map(([path]) => path);
    expect(dependents('@prisma/streams-local')).toEqual(['node_modules/@prisma/dev']);
    expect(dependents('@prisma/dev')).toEqual(['node_modules/prisma']);
    const sources = readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts'))
      .map((file) => readFileSync(join(root, 'src', file), 'utf8'));
    expect(sources.some((text) => text.includes('@prisma/dev'))).toBe(false);
  });
});
