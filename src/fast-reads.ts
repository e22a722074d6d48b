// Answers a planned read (infra/planned-reads.ts) straight from Node's HTTP request, before Yoga's
// per-request pipeline: Yoga turns every request into fetch-API objects, an abort signal and a run
// through each plugin's hooks, which for a one-field read cost more than the read itself
// (~160 µs on Node 26 for `{ __typename }` with no plugin at all, three times a hand-written
// server's whole request).
//
// It only answers what the pipeline already answered the same way. A query text enters the set
// of fast documents when Yoga parsed, validated and limit-checked it and the planner answered it;
// what depends on the request is checked here as the pipeline would (token, variables' input
// guards, cost by variables, operation name). Anything else, or any doubt, goes to Yoga with the
// body already read: CORS (an Origin header), another Accept, any extensions (persisted queries,
// `storyAfter`) or a `Story-After` header, batches, GET, a bad token, a document not seen yet.
// The response (`storyCursor` included), log line and request metrics are the ones Yoga's path
// writes; `tests/fast-reads.test.ts` compares both side by side.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type DocumentNode,
  type ExecutionArgs,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
} from 'graphql';
import { type AuthOptions, bearerToken, type Viewer, viewerOf } from './core/auth.ts';
import type { Reads } from './infra/compiled-reads.ts';
import { materialize, planRead } from './infra/planned-reads.ts';
import { encodeEventCursor } from './live/events.ts';
import { answerTags, ResponseCache } from './live/response-cache.ts';
import { withinCost } from './plugins/execution.ts';
import { inputProblem } from './plugins/input-guards.ts';
import { STORY_AFTER_HEADER } from './plugins/story-cursor.ts';

/** Query texts the full pipeline answered through a plan, for one app. */
export class FastDocuments {
  readonly #documents = new Map<string, DocumentNode>();
  constructor(readonly max = 256) {}

  /** Called by the planned executor once a document is answered by a plan. */
  add(document: DocumentNode): void {
    const text = document.loc?.source.body;
    if (text === undefined || this.#documents.has(text)) return;
    if (this.#documents.size >= this.max) {
      const oldest = this.#documents.keys().next().value as string;
      this.#documents.delete(oldest);
    }
    this.#documents.set(text, document);
  }

  get(text: string): DocumentNode | undefined {
    return this.#documents.get(text);
  }
}

/** What a fast answer records where Yoga's path would (request log, metrics). */
export interface FastReadHooks {
  /** One line per operation, as the request log writes it. */
  log(line: Record<string, unknown>): void;
  /** Request counters and durations, as the metrics plugin records them. */
  record(seconds: number, cached?: boolean): void;
}

interface FastReadOptions {
  schema: GraphQLSchema;
  auth: AuthOptions;
  /** The statement runner of planned reads; without one, only the cache answers here. */
  reads: Pick<Reads, 'data'>;
  documents: FastDocuments;
  maxRequestBytes: number;
  maxListItems: number;
  hooks: FastReadHooks;
  /** How far this instance has read the story log: the `storyCursor` of an answer read now. */
  head: () => number;
  /** Answers kept until the log changes them (live/response-cache.ts), when the cache is on. */
  cache?: ResponseCache;
}

/** Accept headers for which Yoga answers `application/json; charset=utf-8`. */
const JSON_ACCEPTS = new Set([undefined, '*/*', 'application/json']);
const CONTENT_TYPES = new Set(['application/json', 'application/json; charset=utf-8']);

type Body = { query?: unknown; variables?: unknown; operationName?: unknown };

/** The fast path of one server. */
export type FastReads = ReturnType<typeof createFastReads>;

/**
 * Returns the handler for one server: `serve(request, response, yoga)` answers the request itself
 * when it can, and otherwise hands it to `yoga` (with the body it read).
 */
export function createFastReads(options: FastReadOptions) {
  const { reads, documents, hooks } = options;
  const run = reads.data;

  /** Whether the headers alone allow the fast path; nothing is read yet. */
  const eligible = (request: IncomingMessage): boolean => {
    const { headers } = request;
    const length = Number(headers['content-length']);
    return (
      request.method === 'POST' &&
      request.url === '/graphql' &&
      CONTENT_TYPES.has(headers['content-type'] ?? '') &&
      JSON_ACCEPTS.has(headers.accept) &&
      headers.origin === undefined &&
      headers[STORY_AFTER_HEADER] === undefined &&
      Number.isInteger(length) &&
      length > 0 &&
      length <= options.maxRequestBytes
    );
  };

  /** Writes an answer as Yoga's path would (status, headers, log line, metrics). */
  const send = (
    request: IncomingMessage,
    response: ServerResponse,
    text: string | Buffer,
    line: { operation: string; role: string; started: number; cached: boolean },
  ) => {
    const requestId = request.headers['x-request-id']?.toString().slice(0, 100) || randomUUID();
    response.writeHead(200, {
      'Content-Type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
      'x-request-id': requestId,
    });
    response.end(text);
    // Answered: nothing below may hand the request to Yoga a second time.
    try {
      const seconds = (performance.now() - line.started) / 1000;
      hooks.record(seconds, line.cached);
      hooks.log({
        requestId,
        operation: line.operation,
        type: 'query',
        role: line.role,
        durationMs: Math.round(seconds * 100_000) / 100,
        outcome: 'ok',
        ...(line.cached ? { cached: true } : {}),
      });
    } catch {}
  };

  const answer = async (
    request: IncomingMessage,
    response: ServerResponse,
    body: Buffer,
    started: number,
  ): Promise<boolean> => {
    let params: Body;
    try {
      params = JSON.parse(body.toString('utf8')) as Body;
    } catch {
      return false;
    }
    if (!params || typeof params !== 'object' || Array.isArray(params)) return false;
    for (const key in params)
      if (key !== 'query' && key !== 'variables' && key !== 'operationName') return false;
    const { query, operationName } = params;
    const variables = params.variables ?? {};
    if (typeof query !== 'string' || typeof variables !== 'object' || Array.isArray(variables))
      return false;
    // A text neither planned nor kept (a mutation, a query not seen yet) goes to the pipeline
    // before its token is verified: the pipeline verifies it anyway.
    const { cache } = options;
    const document = run ? documents.get(query) : undefined;
    const kept = cache?.holds(query) ?? false;
    if (!document && !kept) return false;
    let viewer: Viewer;
    try {
      viewer = await viewerOf(bearerToken(request.headers.authorization), options.auth);
    } catch {
      return false;
    }
    // An answer kept for the same text, operation, variables and role: the pipeline (or a plan
    // below) answered exactly this request once, and no event read since could change it.
    const key = cache && ResponseCache.key(query, operationName, variables, viewer.role);
    const generation = cache?.generation ?? 0;
    const hit = key !== undefined && kept ? cache?.lookup(key) : undefined;
    if (hit) {
      const line = { operation: hit.operation, role: viewer.role, started, cached: true };
      send(request, response, hit.body, line);
      return true;
    }
    if (!document || !run) return false;
    // A planned document holds one operation, before or after its fragments.
    const operation = document.definitions.find(
      (definition) => definition.kind === Kind.OPERATION_DEFINITION,
    ) as OperationDefinitionNode;
    if (operationName != null && operationName !== operation.name?.value) return false;
    if (inputProblem(variables, options.maxListItems)) return false;
    const args: ExecutionArgs = {
      schema: options.schema,
      document,
      variableValues: variables as Record<string, unknown>,
      operationName: (operationName as string | null | undefined) ?? undefined,
    };
    const plan = planRead(args);
    if (!plan || !withinCost(plan, args)) return false;
    // Read before the data, as the pipeline's story-cursor plugin does.
    const head = options.head();
    let data: unknown;
    try {
      data = materialize(plan.shape, await run(plan.sql, plan.params));
    } catch {
      return false;
    }
    const text = JSON.stringify({ data, extensions: { storyCursor: encodeEventCursor(head) } });
    const name = operation.name?.value ?? 'anonymous';
    if (key !== undefined) {
      const tags = answerTags(options.schema, document, data);
      cache?.store(key, { text: query, body: text, operation: name, tags }, generation);
    }
    send(request, response, text, { operation: name, role: viewer.role, started, cached: false });
    return true;
  };

  return {
    /** Answers `request` if it can; otherwise calls `fallback` (the body, if read, is kept). */
    serve(request: IncomingMessage, response: ServerResponse, fallback: () => unknown): void {
      if ((!run && !options.cache) || !eligible(request)) {
        fallback();
        return;
      }
      const started = performance.now();
      const chunks: Buffer[] = [];
      let size = 0;
      request.on('data', (chunk: Buffer) => {
        size += chunk.length;
        chunks.push(chunk);
      });
      request.once('error', () => response.destroy());
      request.once('end', () => {
        const body = Buffer.concat(chunks, size);
        const handOver = () => {
          // whatwg-node reads a request's `body` when there is one, instead of the (now spent)
          // stream: Yoga sees the request as it came.
          (request as IncomingMessage & { body?: Buffer }).body = body;
          fallback();
        };
        answer(request, response, body, started).then(
          (answered) => {
            if (!answered) handOver();
          },
          () => handOver(),
        );
      });
    },
  };
}
