// Persisted queries and batching: what Apollo Client, urql and Relay-style clients expect.
// - Automatic persisted queries (APQ, Apollo's protocol, on by default): a client first sends only
//   `extensions.persistedQuery.sha256Hash`. An unknown hash answers PERSISTED_QUERY_NOT_FOUND,
//   and the client sends the query with its hash once; later requests can send the hash alone.
// - Trusted documents (`persistedOnly`): only the operations of a committed manifest
//   (persisted-operations.json, written by `npm run operations:manifest`) run, by hash or by
//   their exact text, over every transport; APQ registration is off, since it would let anyone
//   add operations.
// - Batching (`batchingLimit`): a JSON array of operations in one POST, up to the limit.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { useAPQ } from '@graphql-yoga/plugin-apq';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { createGraphQLError, type Plugin } from 'graphql-yoga';

/** How operations may reach the server. */
export interface OperationsOptions {
  /** Run only the operations of the manifest. @default false */
  persistedOnly?: boolean;
  /** The manifest: sha256 hex of an operation's text → that text. @default persisted-operations.json */
  manifestPath?: string;
  /** Operations one batched request may carry; 0 turns batching off. @default 0 */
  batchingLimit?: number;
}

/** Error codes of this module (in `extensions.code`). */
export const PersistedQueryCode = {
  /** The hash is unknown: send the query with its hash (APQ), or use a manifest operation. */
  NOT_FOUND: 'PERSISTED_QUERY_NOT_FOUND',
  /** The hash sent with a query is not the sha256 of that query's text. */
  MISMATCH: 'PERSISTED_QUERY_MISMATCH',
  /** Trusted-documents mode: the operation is not in the manifest. */
  ONLY: 'PERSISTED_QUERY_ONLY',
} as const;

/** The sha256 hex digest of an operation's text, as APQ clients compute it. */
export function operationHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Reads a manifest, checking that every key is the hash of its text. */
export function readManifest(path: string): Map<string, string> {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>;
  const manifest = new Map<string, string>();
  for (const [hash, text] of Object.entries(parsed)) {
    if (operationHash(text) !== hash) {
      throw new Error(`${path}: ${hash} is not the sha256 of its operation`);
    }
    manifest.set(hash, text);
  }
  return manifest;
}

const onlyManifest = () =>
  createGraphQLError(
    'This server runs only the operations of its persisted-operations manifest: send one of them, or its sha256 in extensions.persistedQuery.sha256Hash.',
    { extensions: { code: PersistedQueryCode.ONLY, http: { status: 400 } } },
  );

/** The Yoga plugins for {@link OperationsOptions}. */
export function persistedQueryPlugins(options: OperationsOptions = {}): Plugin[] {
  if (!options.persistedOnly) {
    // Status 200, as Apollo Server answers: every APQ client reads the code from the body then.
    return [useAPQ({ responseConfig: { forceStatusCodeOk: true } })];
  }
  const manifest = readManifest(options.manifestPath ?? 'persisted-operations.json');
  return [
    usePersistedOperations({
      getPersistedOperation: (hash) => manifest.get(hash) ?? null,
      // A full query is let through here and judged by its text below, with WebSocket ones.
      allowArbitraryOperations: true,
      customErrors: {
        notFound: {
          message: 'PersistedQueryNotFound',
          extensions: { code: PersistedQueryCode.NOT_FOUND, http: { status: 200 } },
        },
      },
    }),
    {
      // Every transport parses through here (graphql-ws and SSE too), so nothing else can run.
      onParse({ params }) {
        const text = typeof params.source === 'string' ? params.source : params.source.body;
        if (!manifest.has(operationHash(text))) throw onlyManifest();
      },
    },
  ];
}

/** Yoga's `batching` setting for a limit (0 is off). */
export function batchingSetting(limit = 0): false | { limit: number } {
  return limit > 0 ? { limit } : false;
}
