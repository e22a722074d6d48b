import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo, Server as NetServer, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import type { ExecutionArgs, GraphQLError } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { type WebSocket, WebSocketServer } from 'ws';
import {
  type AuthOptions,
  connectionToken,
  TokenError,
  type Viewer,
  viewerOf,
} from './core/auth.ts';
import { ErrorCode, maskError, userError } from './core/errors.ts';
import type { FastReads } from './fast-reads.ts';
import { runAt } from './infra/timers.ts';
import { eventStream, webSocketStream } from './live/streams.ts';
import { DEFAULT_LIMITS, type Limits } from './plugins/limits.ts';
import type { StoryYoga } from './yoga.ts';

/**
 * WebSocket close codes storygraph uses, besides graphql-ws's own (`4400` bad request, `4408`
 * no `connection_init` in time, `4429` repeated init, `4500` internal error).
 */
export const StoryCloseCode = {
  /** The token in `connection_init` is missing (when required), malformed or expired, or it expired while connected. */
  Unauthorized: CloseCode.Unauthorized,
  /** The server is shutting down; reconnect (to another instance) and resume from your cursor. */
  GoingAway: 1001,
  /** A message was larger than `MAX_REQUEST_BYTES` (sent by `ws` itself). */
  MessageTooBig: 1009,
  /** This client address already has `MAX_SOCKETS_PER_ADDRESS` WebSockets open; retry later. */
  TryAgainLater: 1013,
} as const;

/** A running HTTP + WebSocket server for one Yoga instance. */
export interface StoryServer {
  /** Starts listening; resolves with the bound port (useful with port 0). */
  listen(port: number, host?: string): Promise<number>;
  /**
   * Stops accepting, closes WebSockets with 1001 (going away), lets in-flight HTTP requests
   * finish (up to `graceMs`), then closes.
   */
  close(graceMs?: number): Promise<void>;
  readonly http: Server;
  /** Open WebSocket connections. */
  readonly sockets: number;
  /** Open server-sent event streams. */
  readonly eventStreams: number;
}

type Run = (args: ExecutionArgs) => never;
type EnvelopedArgs = ExecutionArgs & { rootValue: { execute: Run; subscribe: Run } };

type Extra = {
  socket: WebSocket;
  request: IncomingMessage;
  viewer?: Viewer;
};

/**
 * The address a WebSocket is counted under: the TCP peer, or with `trustProxy` the last
 * `X-Forwarded-For` entry, which is the one the proxy in front of us appended.
 */
function clientAddress(request: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = request.headers['x-forwarded-for'];
    const last = (Array.isArray(forwarded) ? forwarded.join(',') : forwarded)
      ?.split(',')
      .map((entry) => entry.trim())
      .filter(Boolean)
      .at(-1);
    if (last) return last;
  }
  return request.socket.remoteAddress ?? 'unknown';
}

/** Open connections per client address, for the per-address caps on WebSockets and SSE streams. */
class AddressCounts {
  readonly #open = new Map<string, number>();
  #total = 0;
  /** Open connections over every address. */
  get total(): number {
    return this.#total;
  }
  /** Counts one more for `address` unless it already has `max`; returns whether it did. */
  take(address: string, max: number): boolean {
    const open = this.#open.get(address) ?? 0;
    if (open >= max) return false;
    this.#open.set(address, open + 1);
    this.#total++;
    return true;
  }
  release(address: string): void {
    this.#total--;
    const left = (this.#open.get(address) ?? 1) - 1;
    if (left > 0) this.#open.set(address, left);
    else this.#open.delete(address);
  }
}

/** Whether a request asks for a server-sent event stream (Yoga answers those as a held stream). */
function wantsEventStream(request: IncomingMessage): boolean {
  return request.headers.accept?.includes('text/event-stream') ?? false;
}

/** Message types only a server may send: graphql-ws treats one from a client as its own failure. */
/**
 * How long a connection accepted just before shutdown has to send its request: a proxy writes
 * its request within a millisecond of connecting, so a quarter second is ample.
 */
const FRESH_CONNECTION_MS = 250;

const SERVER_ONLY = new Set(['connection_ack', 'next']);

/**
 * Keeps a client's protocol faults from looking like ours. A client that sends `connection_ack`
 * or `next` makes graphql-ws throw, log a stack trace and close with 4500 (internal error): it is
 * a bad message, closed with 4400 as graphql-ws does for any other, before graphql-ws sees it.
 * And `ws` reports a frame over `maxPayload` or with invalid UTF-8 as an `error` event, which
 * graphql-ws logs with a stack trace; `ws` closes those sockets itself (1009, 1007), so the event
 * is dropped here.
 */
function refuseClientFaults(socket: WebSocket): void {
  const emit = socket.emit.bind(socket);
  socket.emit = (event: string | symbol, ...args: unknown[]) => {
    if (event === 'error' && String((args[0] as { code?: unknown })?.code).startsWith('WS_ERR_')) {
      return true;
    }
    if (event === 'message') {
      const text = String(args[0]);
      if (text.includes('connection_ack') || text.includes('next')) {
        let type: unknown;
        try {
          type = (JSON.parse(text) as { type?: unknown } | null)?.type;
        } catch {}
        if (typeof type === 'string' && SERVER_ONLY.has(type)) {
          socket.close(CloseCode.BadRequest, 'Invalid message received');
          return true;
        }
      }
    }
    return emit(event, ...args);
  };
}

/**
 * Mounts Yoga on a Node HTTP server, with graphql-ws on the same path and port. Operations over
 * WebSocket go through `yoga.getEnveloped`, so they run the same plugins, context and error
 * masking as HTTP. Tests build it on port 0; `main.ts` builds it on `PORT`.
 */
export function buildServer(
  yoga: StoryYoga,
  auth: AuthOptions,
  limits: Limits = DEFAULT_LIMITS,
  fastReads?: FastReads,
): StoryServer {
  // Every response, WebSocket upgrades included, names the instance that served it: behind a
  // proxy that spreads clients over replicas, this is how an operator (and the compose test)
  // tells them apart. In a container the host name is the container ID.
  const servedBy = hostname();
  // Errors in results written straight to a socket (live/direct.ts) are masked as Yoga masks
  // every other result: the same function, and the original logged.
  const mask = (error: GraphQLError) => {
    const masked = maskError(error, 'Unexpected error.', false) as GraphQLError;
    if (masked !== error) yoga.logger.error(error);
    return masked;
  };
  // An SSE stream is counted from its request until its response closes, under the same address
  // rule as WebSockets; one over the cap is refused before Yoga reads it.
  const streams = new AddressCounts();
  const http = createServer((request, response) => {
    response.setHeader('x-served-by', servedBy);
    if (wantsEventStream(request)) {
      const address = clientAddress(request, limits.trustProxy);
      if (!streams.take(address, limits.maxSseStreamsPerAddress)) {
        const error = userError(
          ErrorCode.LIMIT_EXCEEDED,
          `This address already has ${limits.maxSseStreamsPerAddress} event streams open; close one or retry later.`,
          { max: limits.maxSseStreamsPerAddress },
        );
        response.writeHead(429, { 'content-type': 'application/json; charset=utf-8' });
        response.end(JSON.stringify({ errors: [error.toJSON()] }));
        return;
      }
      response.once('close', () => streams.release(address));
      return yoga(request, response, { stream: eventStream(response, mask) });
    }
    if (fastReads) fastReads.serve(request, response, () => yoga(request, response));
    else yoga(request, response);
  });
  const connections = new Set<Socket>();
  http.on('connection', (socket) => {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
  });

  // `ws` closes a socket with 1009 when a message is larger than the HTTP body limit.
  const wss = new WebSocketServer({
    server: http,
    path: yoga.graphqlEndpoint,
    maxPayload: limits.maxRequestBytes,
  });
  wss.on('headers', (headers) => headers.push(`X-Served-By: ${servedBy}`));
  const socketsByAddress = new AddressCounts();
  wss.on('connection', (socket, request) => {
    const address = clientAddress(request, limits.trustProxy);
    if (!socketsByAddress.take(address, limits.maxSocketsPerAddress)) {
      socket.close(StoryCloseCode.TryAgainLater, 'Too many connections from this address');
      return;
    }
    refuseClientFaults(socket);
    socket.once('close', () => socketsByAddress.release(address));
  });
  const expiryTimers = new Set<() => void>();

  const graphqlWs = useServer<Record<string, unknown> | undefined, Extra>(
    {
      // onSubscribe hands over Yoga's enveloped execute/subscribe in rootValue, so the operation
      // runs through the same plugins as an HTTP request.
      execute: (args) => (args as EnvelopedArgs).rootValue.execute(args),
      subscribe: (args) => (args as EnvelopedArgs).rootValue.subscribe(args),
      // The token is checked once, at connection_init; every operation on the socket runs as that viewer.
      onConnect: async (ctx) => {
        let viewer: Viewer;
        try {
          viewer = await viewerOf(connectionToken(ctx.connectionParams), auth);
        } catch (error) {
          if (!(error instanceof TokenError)) throw error;
          const reason = {
            expired: 'token expired',
            missing: 'a token is required',
            invalid: 'invalid token',
          }[error.problem];
          ctx.extra.socket.close(StoryCloseCode.Unauthorized, `Unauthorized: ${reason}`);
          return false;
        }
        ctx.extra.viewer = viewer;
        if (viewer.expiresAt) {
          const cancel = runAt(viewer.expiresAt, () => {
            expiryTimers.delete(cancel);
            ctx.extra.socket.close(StoryCloseCode.Unauthorized, 'Unauthorized: token expired');
          });
          expiryTimers.add(cancel);
          ctx.extra.socket.once('close', () => {
            cancel();
            expiryTimers.delete(cancel);
          });
        }
        return true;
      },
      onSubscribe: async (ctx, id, params) => {
        // graphql-ws has already registered this operation, so more than the cap means one too many.
        if (Object.keys(ctx.subscriptions).length > limits.maxSubscriptionsPerSocket) {
          return [
            userError(
              ErrorCode.LIMIT_EXCEEDED,
              `A WebSocket may run at most ${limits.maxSubscriptionsPerSocket} operations at once.`,
              { max: limits.maxSubscriptionsPerSocket },
            ),
          ];
        }
        const socket = ctx.extra.socket;
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket,
          params,
          viewer: ctx.extra.viewer,
          stream: webSocketStream(socket, id, mask),
        });
        // The limits in limits.ts throw from parse and validate: send them as the operation's error.
        let document: ReturnType<typeof parse>;
        let errors: readonly GraphQLError[];
        try {
          document = parse(params.query);
          errors = validate(schema, document);
        } catch (error) {
          return [error as never];
        }
        if (errors.length) return errors as GraphQLError[];
        return {
          schema,
          operationName: params.operationName,
          document,
          variableValues: params.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
      },
    },
    wss,
  );

  return {
    http,
    get sockets() {
      return wss.clients.size;
    },
    get eventStreams() {
      return streams.total;
    },
    listen(port, host) {
      return new Promise((resolve, reject) => {
        http.once('error', reject);
        http.listen(port, host, () => {
          http.off('error', reject);
          resolve((http.address() as AddressInfo).port);
        });
      });
    },
    async close(graceMs = 10_000) {
      // Stop accepting through net.Server's `close`, not http.Server's: the latter also destroys
      // every idle connection at once, and a connection a proxy opened a moment ago is idle
      // until its request arrives, so the proxy would see a reset after sending a request it may
      // not retry (a POST). Such connections get FRESH_CONNECTION_MS to start their request.
      const closed = new Promise<void>((resolve) =>
        NetServer.prototype.close.call(http, () => resolve()),
      );
      for (const client of wss.clients)
        client.close(StoryCloseCode.GoingAway, 'Server shutting down');
      await Promise.all([
        graphqlWs.dispose(),
        connections.size > 0 ? delay(FRESH_CONNECTION_MS) : undefined,
      ]);
      for (const cancel of expiryTimers) cancel();
      // Idle keep-alive sockets would hold `close` open forever; busy ones finish first.
      http.closeIdleConnections();
      const timer = setTimeout(() => {
        for (const socket of connections) socket.destroy();
      }, graceMs);
      timer.unref();
      await closed;
      clearTimeout(timer);
      await yoga.dispose();
    },
  };
}
