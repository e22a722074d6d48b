import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The README and its reference pages in docs/, as paths relative to `root`: the pages whose
 * operations the README test runs and the persisted-operations manifest trusts.
 */
export function docPages(root: string): string[] {
  return [
    'README.md',
    ...readdirSync(join(root, 'docs'))
      .filter((name) => name.endsWith('.md'))
      .sort()
      .map((name) => `docs/${name}`),
  ];
}
