// The layout docs/layout.md describes, held by the tests: the root of src/ keeps only the
// entry points and wiring, no source file grows past 400 lines, and imports go one way: core/ and infra/ import nothing above them,
// story/ decides without knowing the API or its transports, live/ delivers what story/ logged.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', 'src');
const sources = (readdirSync(SRC, { recursive: true }) as string[])
  .filter((file) => file.endsWith('.ts') && !file.startsWith('generated'))
  .map((file) => file.split('\\').join('/'));

/** The folders each folder of src/ may import from (besides itself, generated code and context.ts). */
const MAY_IMPORT: Record<string, string[]> = {
  core: ['infra'],
  infra: ['core'],
  story: ['core', 'infra'],
  live: ['core', 'infra', 'story'],
  pages: ['core', 'infra'],
  plugins: ['core', 'infra', 'story', 'live', 'schema'],
  schema: ['core', 'infra', 'story', 'live', 'plugins'],
};

describe('the source tree', () => {
  it('keeps at most eight files at the root of src/: the entry points and wiring', () => {
    const root = sources.filter((file) => !file.includes('/'));
    expect(root.length).toBeLessThanOrEqual(8);
    expect(root).toContain('main.ts');
    expect(root).toContain('app.ts');
  });

  it('keeps every source file under 400 lines', () => {
    const long = sources
      .map((file) => ({
        file,
        lines: readFileSync(join(SRC, file), 'utf8').split('\n').length - 1,
      }))
      .filter(({ lines }) => lines > 400)
      .map(({ file, lines }) => `${file}: ${lines}`);
    expect(long).toEqual([]);
  });

  it('imports one way: no folder imports from a layer above it', () => {
    const wrong: string[] = [];
    for (const file of sources) {
      const folder = file.split('/')[0] as string;
      const allowed = MAY_IMPORT[folder];
      if (!allowed) continue; // a root file: wiring may import anything
      const text = readFileSync(join(SRC, file), 'utf8');
      for (const match of text.matchAll(/from '(\.\.?\/[^']+)'/g)) {
        const target = relative(SRC, normalize(join(SRC, dirname(file), match[1] as string)));
        const targetFolder = target.includes('/') ? (target.split('/')[0] as string) : '';
        if (targetFolder === folder || targetFolder === 'generated' || target === 'context.ts') {
          continue;
        }
        if (!allowed.includes(targetFolder)) wrong.push(`${file} imports ${target}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('lists the entity types in one place: the registry', () => {
    // Two or more type names in a row, as a list or a union, anywhere but story/registry.ts.
    const list =
      /'(Leader|Organization|Summit|Article|Membership|Participation)'\s*[,|]\s*'(Leader|Organization|Summit|Article|Membership|Participation)'/;
    const spelled = sources
      .filter((file) => file !== 'story/registry.ts')
      .filter((file) => list.test(readFileSync(join(SRC, file), 'utf8')));
    expect(spelled).toEqual([]);
  });
});
