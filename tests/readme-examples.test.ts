import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type DocumentNode,
  isObjectType,
  isUnionType,
  Kind,
  type OperationDefinitionNode,
  parse,
  TypeInfo,
  validate,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { docPages } from '../scripts/doc-pages.ts';
import { GRAPHIQL_DEFAULT_QUERY } from '../src/plugins/graphiql.ts';
import { liveDirectiveOf } from '../src/plugins/live-query.ts';
import { schema } from '../src/schema/index.ts';
import { testApp, tokenFor } from './helpers/app.ts';
import { execute } from './helpers/graphql.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The README and the reference pages in docs/: every operation they show is run here. */
const PAGES = docPages(ROOT);

interface Example {
  /** Where it starts (page and line), for failure messages. */
  where: string;
  source: string;
  /** The ```json block right after it, if any: the variables it runs with. */
  variables: Record<string, unknown>;
}

/** Every ```graphql block of the README, in order, with the ```json block that follows it. */
function examples(page: string): Example[] {
  const markdown = readFileSync(resolve(ROOT, page), 'utf8');
  const found: Example[] = [];
  const block = /^```(\w*)\n([\s\S]*?)^```\n(?:\n?```json\n([\s\S]*?)^```\n)?/gm;
  for (const match of markdown.matchAll(block)) {
    if (match[1] !== 'graphql') continue;
    found.push({
      where: `${page} line ${markdown.slice(0, match.index).split('\n').length}`,
      source: match[2] as string,
      variables: match[3] ? JSON.parse(match[3]) : {},
    });
  }
  return found;
}

/**
 * What a client with a normalized cache and generated types needs from a document: every
 * operation named, `id` selected on every object that has one, and a fragment for every type a
 * union (such as `search`'s) can hold. Returns the breaches, as readable lines.
 */
function clientReadiness(document: DocumentNode): string[] {
  const problems: string[] = [];
  const typeInfo = new TypeInfo(schema);
  const fragmentTypes = new Map<string, string>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      fragmentTypes.set(definition.name.value, definition.typeCondition.name.value);
    }
  }
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      OperationDefinition(operation) {
        if (!operation.name) problems.push(`an anonymous ${operation.operation}`);
      },
      SelectionSet(selectionSet, _key, parent) {
        const type = typeInfo.getParentType();
        if (!type) return;
        const where =
          parent && 'name' in parent && parent.name ? (parent.name as { value: string }).value : '';
        const names = selectionSet.selections.map((selection) =>
          selection.kind === Kind.FIELD ? selection.name.value : '',
        );
        if (isObjectType(type) && 'id' in type.getFields() && !names.includes('id')) {
          // A fragment on the same type counts if it selects `id` itself (checked there).
          const spreads = selectionSet.selections.filter(
            (selection) =>
              selection.kind === Kind.FRAGMENT_SPREAD &&
              fragmentTypes.get(selection.name.value) === type.name,
          );
          if (spreads.length === 0) problems.push(`${type.name} without id (in ${where})`);
        }
        if (isUnionType(type)) {
          const covered = new Set<string>();
          for (const selection of selectionSet.selections) {
            if (selection.kind === Kind.INLINE_FRAGMENT && selection.typeCondition) {
              covered.add(selection.typeCondition.name.value);
            } else if (selection.kind === Kind.FRAGMENT_SPREAD) {
              covered.add(fragmentTypes.get(selection.name.value) ?? '');
            }
          }
          for (const possible of schema.getPossibleTypes(type)) {
            if (!covered.has(possible.name)) {
              problems.push(`${where || type.name}: no fragment on ${possible.name}`);
            }
          }
        }
      },
    }),
  );
  return problems;
}

/** Runs a subscription over Server-Sent Events in process and returns its first result. */
async function firstResult(
  app: ReturnType<typeof testApp>,
  query: string,
  variables: Record<string, unknown>,
  operationName?: string,
): Promise<{ data?: unknown; errors?: unknown[] }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 15_000);
  try {
    const response = await app.yoga.fetch('http://storygraph.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query, variables, operationName }),
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the stream ended without a result: ${text}`);
      text += decoder.decode(value, { stream: true });
      const message = /event: next\ndata: (.*)\n\n/.exec(text);
      if (message) {
        await reader.cancel();
        return JSON.parse(message[1] as string);
      }
    }
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

describe('the examples of the README and docs/', () => {
  const found = PAGES.flatMap(examples);
  const app = testApp();

  it('are there to check', () => {
    expect(found.length).toBeGreaterThanOrEqual(6);
  });

  it('are named, select id on every object and cover every type search returns', () => {
    for (const example of [
      ...found,
      { where: 'GraphiQL', source: GRAPHIQL_DEFAULT_QUERY, variables: {} },
    ]) {
      const document = parse(example.source);
      expect(
        validate(schema, document).map((error) => error.message),
        example.where,
      ).toEqual([]);
      expect(clientReadiness(document), example.where).toEqual([]);
    }
  });

  it('finds what a client would miss', () => {
    const document = parse(`
      { summit(slug: "x") { name } }
      query Search { search(query: "x") { ... on Leader { id name } } }
    `);
    expect(clientReadiness(document)).toEqual([
      'an anonymous query',
      'Summit without id (in summit)',
      'search: no fragment on Article',
      'search: no fragment on Organization',
      'search: no fragment on Summit',
    ]);
  });

  it('run against the shipped story without errors: queries, then mutations, then subscriptions', async () => {
    const editor = await tokenFor('editor');
    const runs = found.map((example) => {
      const document = parse(example.source);
      const operation = document.definitions.find(
        (definition) => definition.kind === Kind.OPERATION_DEFINITION,
      );
      // A live query streams, as a subscription does: its first result is checked the same way.
      const live = liveDirectiveOf(operation as OperationDefinitionNode | undefined) !== undefined;
      const kind = live ? 'subscription' : (operation as any)?.operation;
      return { ...example, kind: kind ?? 'query' };
    });
    const order = { query: 0, mutation: 1, subscription: 2 } as Record<string, number>;
    runs.sort((a, b) => (order[a.kind] ?? 0) - (order[b.kind] ?? 0));
    for (const run of runs) {
      const { where } = run;
      if (run.kind === 'subscription') {
        const result = await firstResult(app, run.source, run.variables);
        expect(result.errors, where).toBeUndefined();
        expect(result.data, where).toBeTruthy();
        continue;
      }
      const result = await execute(
        app.yoga,
        run.source,
        run.variables,
        run.kind === 'mutation' ? editor : undefined,
      );
      expect(result.errors, where).toBeUndefined();
      // Every example finds something in the shipped story, not just nothing without an error.
      const values = Object.values(result.data ?? {});
      expect(values.length, where).toBeGreaterThan(0);
      for (const value of values) expect(value, where).not.toBeNull();
    }
  });

  it('show the urql routing of live queries as examples/src/live-summit.ts writes it', () => {
    const page = readFileSync(resolve(ROOT, 'docs/live-updates.md'), 'utf8');
    const snippet = /```ts\n([\s\S]*?)```/.exec(page)?.[1];
    expect(snippet).toBeTruthy();
    const squeeze = (text: string) => text.replace(/\s+/g, ' ').trim();
    const example = squeeze(readFileSync(resolve(ROOT, 'examples/src/live-summit.ts'), 'utf8'));
    expect(example).toContain(squeeze(snippet as string).replace(/,$/, ''));
  });

  it("include GraphiQL's opening document, which runs as GraphiQL sends it", async () => {
    // GraphiQL sends the operation picked and the (still empty) Authorization header.
    const response = await app.yoga.fetch('http://storygraph.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: '' },
      body: JSON.stringify({ query: GRAPHIQL_DEFAULT_QUERY, operationName: 'StorySoFar' }),
    });
    const body = (await response.json()) as { data?: any; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data.summit.name).toBe('SCO Summit 2022');
    const subscription = await firstResult(
      app,
      GRAPHIQL_DEFAULT_QUERY.replace('storyEvents {', 'storyEvents(after: "c3RvcnlFdmVudDow") {'),
      {},
      'FollowTheStory',
    );
    expect(subscription.errors).toBeUndefined();
  });
});
