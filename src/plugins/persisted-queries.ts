// Persisted queries and batching: what Apollo Client, urql and Relay-style clients expect.
// - Automatic persisted queries (APQ, Apollo's protocol, on by default): a client first sends only
//   `extensions.persistedQuery.sha256Hash`. An unknown hash answers PERSISTED_QUERY_NOT_FOUND,
//   and the client sends the query with its hash once; later requests can send the hash alone.
//   A query is kept only once it has run past parsing, validation and the limits, in a store
//   bounded in entries and bytes (apq-store.ts).
// - Trusted documents (`persistedOnly`): only the operations of a committed manifest
//   (persisted-operations.json, written by `npm run operations:manifest`) run, by hash or by
//   their exact text, over every transport; APQ registration is off, since it would let anyone
//   add operations.
// - Batching (`batchingLimit`): a JSON array of operations in one POST, up to the limit.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import type { ExecutionResult } from 'graphql';
import { createGraphQLError, type GraphQLParams, isAsyncIterable, type Plugin } from 'graphql-yoga';
import { ErrorCode } from '../core/errors.ts';
import { type ApqStore, createApqStore } from './apq-store.ts';

/** How operations may reach the server. */
export interface OperationsOptions {
  /** Run only the operations of the manifest. @default false */
  persistedOnly?: boolean;
  /** The manifest: sha256 hex of an operation's text → that text. @default persisted-operations.json */
  manifestPath?: string;
  /** Operations one batched request may carry; 0 turns batching off. @default 0 */
  batchingLimit?: number;
  /** Where APQ keeps registered queries. @default createApqStore() (APQ_STORE_LIMITS) */
  apqStore?: ApqStore;
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

// Status 200, as Apollo Server answers: every APQ client reads the code from the body then.
const apqError = (message: string, code: string) =>
  createGraphQLError(message, { extensions: { code, http: { status: 200 } } });

/** The APQ extension of a request, if it carries a well-formed one (version 1). */
function persistedHash(params: GraphQLParams): string | undefined {
  const extension = params.extensions?.persistedQuery as
    | { version?: unknown; sha256Hash?: unknown }
    | undefined;
  if (extension?.version !== 1 || typeof extension.sha256Hash !== 'string') return undefined;
  return extension.sha256Hash;
}

// What a resolver reports when the operation, not its data, is refused: the cost, which Pothos
// checks as the root fields resolve, and the input limits (page size, list length).
const REFUSALS: ReadonlySet<unknown> = new Set([
  ErrorCode.QUERY_TOO_COMPLEX,
  ErrorCode.BAD_USER_INPUT,
]);

/**
 * Whether an operation ran past parsing, validation and the limits: any error it has is a
 * resolver's about its data (NOT_FOUND, FORBIDDEN…). Parse, validation and variable errors, and
 * the plugins' refusals, have no path.
 */
function ran(result: ExecutionResult): boolean {
  return (result.errors ?? []).every(
    (error) => error.path !== undefined && !REFUSALS.has(error.extensions?.code),
  );
}

/**
 * Automatic persisted queries (the Apollo protocol, as @graphql-yoga/plugin-apq speaks it). A
 * query sent with its hash is registered only after it ran: registering on arrival let anyone
 * pin megabytes of documents the limits then refused, and answer that refusal again by hash.
 */
export function useAutomaticPersistedQueries(store: ApqStore = createApqStore()): Plugin {
  // The params whose query and hash were checked, awaiting a run that earns registration. Keyed by
  // the object itself: it is what Yoga hands the operation's context, one per batched operation.
  const pending = new WeakMap<GraphQLParams, string>();
  const register = (context: unknown) => {
    const params = (context as { params?: GraphQLParams } | undefined)?.params;
    const hash = params && pending.get(params);
    if (hash === undefined || typeof params?.query !== 'string') return;
    pending.delete(params);
    store.set(hash, params.query);
  };
  return {
    onParams({ params, setParams }) {
      const hash = persistedHash(params);
      if (hash === undefined) return;
      if (params.query == null) {
        const query = store.get(hash);
        if (query === undefined)
          throw apqError('PersistedQueryNotFound', PersistedQueryCode.NOT_FOUND);
        setParams({ ...params, query });
        return;
      }
      if (typeof params.query !== 'string' || operationHash(params.query) !== hash) {
        throw apqError('PersistedQueryMismatch', PersistedQueryCode.MISMATCH);
      }
      pending.set(params, hash);
    },
    onExecute() {
      return {
        onExecuteDone({ args, result }) {
          if (!isAsyncIterable(result) && ran(result)) register(args.contextValue);
        },
      };
    },
    onSubscribe() {
      return {
        // A subscription that starts is a stream; one refused (cost, validation) is one result.
        onSubscribeResult({ args, result }) {
          if (isAsyncIterable(result)) register(args.contextValue);
        },
      };
    },
  };
}

/** The Yoga plugins for {@link OperationsOptions}. */
export function persistedQueryPlugins(options: OperationsOptions = {}): Plugin[] {
  if (!options.persistedOnly) return [useAutomaticPersistedQueries(options.apqStore)];
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
