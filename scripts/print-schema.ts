// Prints the code-first schema to schema.graphql; with --check, fails if the file is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { printSchema } from 'graphql';
import { schema } from '../src/schema/index.ts';

const target = resolve(import.meta.dirname, '../schema.graphql');
const printed = `${printSchema(schema)}\n`;

if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {}
  if (current !== printed) {
    console.error('schema.graphql is out of date: run `npm run schema` and commit the result.');
    process.exit(1);
  }
  console.info('schema.graphql is current');
} else {
  writeFileSync(target, printed);
  console.info(`wrote ${target}`);
}
// The Prisma client holds no connection yet, but its engine may keep timers: end explicitly.
process.exit(0);
