import { readdirSync, readFileSync } from 'node:fs';
import {
  buildClientSchema,
  getIntrospectionQuery,
  type IntrospectionQuery,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isUnionType,
  printSchema,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../src/schema/index.ts';
import { testApp } from './helpers/app.ts';

describe('the public schema', () => {
  it('is the one committed in schema.graphql', () => {
    expect(`${printSchema(schema)}\n`).toBe(
      readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8'),
    );
  });

  it('is exactly what a client tool gets by introspecting the running server', async () => {
    // As graphql-inspector, graphql-codegen and GraphiQL do: the standard introspection query over
    // HTTP, rebuilt into a schema and printed. Any difference would show up as a schema change.
    const app = testApp();
    const response = await app.yoga.fetch('http://storygraph.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: getIntrospectionQuery() }),
    });
    const { data } = (await response.json()) as { data: IntrospectionQuery };
    expect(`${printSchema(buildClientSchema(data))}\n`).toBe(
      readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8'),
    );
  });

  it('names every mutation and subscription literally in src/, where it is declared', () => {
    // A reader who sees `updateSummit` in a client finds its declaration with a plain search.
    const source = readdirSync(new URL('../src', import.meta.url), { recursive: true })
      .map(String)
      .filter((file) => file.endsWith('.ts') && !file.startsWith('generated'))
      .map((file) => readFileSync(new URL(`../src/${file}`, import.meta.url), 'utf8'))
      .join('\n');
    const names = [schema.getMutationType(), schema.getSubscriptionType()].flatMap((type) =>
      Object.keys(type?.getFields() ?? {}),
    );
    expect(names.length).toBeGreaterThan(30);
    // As a string (`builder.mutationField('updateSummit', …)`) or a key (`updateSummit: t.field(…)`).
    const declared = (name: string) => new RegExp(`['\`]${name}['\`]|\\b${name}: `).test(source);
    expect(names.filter((name) => !declared(name))).toEqual([]);
  });

  it('describes every type, field, argument and enum value', () => {
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__')) continue;
      if (!type.description) missing.push(type.name);
      if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) missing.push(`${type.name}.${field.name}`);
          for (const arg of 'args' in field ? field.args : []) {
            if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
          }
        }
      }
      if (isEnumType(type)) {
        for (const value of type.getValues()) {
          if (!value.description) missing.push(`${type.name}.${value.name}`);
        }
      }
      if (isUnionType(type) && !type.description) missing.push(type.name);
    }
    expect(missing).toEqual([]);
  });
});
