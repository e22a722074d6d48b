// Writes persisted-operations.json, the manifest of operations a server started with
// PERSISTED_ONLY=true runs: every ```graphql block of README.md and docs/*.md and every examples/**/*.graphql
// file, each checked against the schema, keyed by the sha256 of its text (what APQ clients send).
//   npm run -s operations:manifest            write the manifest
//   npm run -s operations:manifest -- --check fail if it is stale (CI)
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parse, validate } from 'graphql';
import { operationHash } from '../src/plugins/persisted-queries.ts';
import { schema } from '../src/schema/index.ts';
import { docPages } from './doc-pages.ts';

const root = resolve(import.meta.dirname, '..');
const target = join(root, 'persisted-operations.json');

function graphqlFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir, { recursive: true, encoding: 'utf8' });
  } catch {
    return [];
  }
  return entries
    .filter((name) => name.endsWith('.graphql') && !name.includes('node_modules'))
    .map((name) => join(dir, name))
    .sort();
}

const sources: { where: string; text: string }[] = [];
// The README and its reference pages in docs/: every operation they show can run in trusted mode.
for (const page of docPages(root)) {
  const text = readFileSync(join(root, page), 'utf8');
  for (const match of text.matchAll(/^```graphql\n([\s\S]*?)^```$/gm)) {
    const line = text.slice(0, match.index).split('\n').length;
    sources.push({ where: `${page}:${line}`, text: match[1] as string });
  }
}
for (const file of graphqlFiles(join(root, 'examples'))) {
  sources.push({ where: relative(root, file), text: readFileSync(file, 'utf8') });
}

const manifest: Record<string, string> = {};
let bad = 0;
for (const { where, text } of sources) {
  try {
    const errors = validate(schema, parse(text));
    if (errors.length) throw new Error(errors.map((error) => error.message).join('; '));
  } catch (error) {
    console.error(`${where}: ${(error as Error).message}`);
    bad++;
    continue;
  }
  manifest[operationHash(text)] = text;
}
if (bad) process.exit(1);

const sorted = Object.fromEntries(Object.entries(manifest).sort(([a], [b]) => a.localeCompare(b)));
const json = `${JSON.stringify(sorted, null, 2)}\n`;
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // Missing counts as stale.
  }
  if (current !== json) {
    console.error('persisted-operations.json is stale: run `npm run -s operations:manifest`');
    process.exit(1);
  }
  console.info(`persisted-operations.json is current (${Object.keys(sorted).length} operations)`);
} else {
  writeFileSync(target, json);
  console.info(`wrote ${Object.keys(sorted).length} operations to persisted-operations.json`);
}
