import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ExecutionArgs } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { type WebSocket, WebSocketServer } from 'ws';
import { ANONYMOUS, TokenError, type Viewer, verifyToken } from './auth.ts';
import { sharedResultJson } from './shared-execution.ts';
import type { AuthOptions, StoryYoga } from './yoga.ts';

/**
 * WebSocket close codes storygraph uses, besides graphql-ws's own (`4400` bad request, `4408`
 * no `connection_init` in time, `4429` repeated init, `4500` internal error).
 */
export const StoryCloseCode = {
  /** The token in `connection_init` is missing (when required), malformed or expired, or it expired while connected. */
  Unauthorized: CloseCode.Unauthorized,
  /** The server is shutting down; reconnect (to another instance) and resume from your cursor. */
  GoingAway: 1001,
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
}

/** What graphql-ws serializes in place of a shared result; the pre-built frame replaces it. */
const SHARED_STAND_IN = { data: null };

type Run = (args: ExecutionArgs) => never;
type EnvelopedArgs = ExecutionArgs & { rootValue: { execute: Run; subscribe: Run } };

type Extra = {
  socket: WebSocket;
  request: IncomingMessage;
  viewer?: Viewer;
};

/** Reads the token a client put in `connection_init`: `{ authorization: 'Bearer …' }` or `{ token }`. */
function tokenFromParams(params: Record<string, unknown> | undefined): string | undefined {
  if (!params) return undefined;
  const header = params.authorization ?? params.Authorization;
  if (typeof header === 'string') return header.replace(/^Bearer\s+/i, '').trim() || undefined;
  return typeof params.token === 'string' && params.token ? params.token : undefined;
}

/**
 * Mounts Yoga on a Node HTTP server, with graphql-ws on the same path and port. Operations over
 * WebSocket go through `yoga.getEnveloped`, so they run the same plugins, context and error
 * masking as HTTP. Tests build it on port 0; `main.ts` builds it on `PORT`.
 */
export function buildServer(yoga: StoryYoga, auth: AuthOptions): StoryServer {
  const http = createServer(yoga);
  const connections = new Set<Socket>();
  http.on('connection', (socket) => {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
  });

  const wss = new WebSocketServer({ server: http, path: yoga.graphqlEndpoint });
  // Subscription events shared by a group of subscribers are serialized once (see
  // shared-execution.ts): `onNext` below files the finished frame for the operation id and hands
  // graphql-ws a tiny stand-in payload, and this wrapper, registered before graphql-ws's own
  // connection handler, swaps the stand-in message for the filed frame on its way out.
  const pendingFrames = new WeakMap<WebSocket, Map<string, string>>();
  wss.on('connection', (socket) => {
    const send = socket.send.bind(socket) as (data: unknown, ...rest: unknown[]) => void;
    socket.send = ((data: unknown, ...rest: unknown[]) => {
      const frames = pendingFrames.get(socket);
      if (frames?.size && typeof data === 'string' && data.startsWith('{"id":')) {
        const end = data.indexOf(',"type":"next"');
        const id = end > 0 ? (JSON.parse(data.slice(6, end)) as string) : undefined;
        const frame = id === undefined ? undefined : frames.get(id);
        if (frame !== undefined) {
          frames.delete(id as string);
          return send(frame, ...rest);
        }
      }
      return send(data, ...rest);
    }) as typeof socket.send;
  });
  const anonymousReads = auth.anonymousReads ?? true;
  const expiryTimers = new Set<NodeJS.Timeout>();

  const graphqlWs = useServer<Record<string, unknown> | undefined, Extra>(
    {
      // onSubscribe hands over Yoga's enveloped execute/subscribe in rootValue, so the operation
      // runs through the same plugins as an HTTP request.
      execute: (args) => (args as EnvelopedArgs).rootValue.execute(args),
      subscribe: (args) => (args as EnvelopedArgs).rootValue.subscribe(args),
      // The token is checked once, at connection_init; every operation on the socket runs as that viewer.
      onConnect: async (ctx) => {
        const token = tokenFromParams(ctx.connectionParams);
        let viewer: Viewer = ANONYMOUS;
        if (token) {
          try {
            viewer = await verifyToken(token, auth.secret);
          } catch (error) {
            const reason =
              error instanceof TokenError && error.problem === 'expired'
                ? 'token expired'
                : 'invalid token';
            ctx.extra.socket.close(StoryCloseCode.Unauthorized, `Unauthorized: ${reason}`);
            return false;
          }
        } else if (!anonymousReads) {
          ctx.extra.socket.close(StoryCloseCode.Unauthorized, 'Unauthorized: a token is required');
          return false;
        }
        ctx.extra.viewer = viewer;
        if (viewer.expiresAt) {
          const timer = setTimeout(
            () => {
              expiryTimers.delete(timer);
              ctx.extra.socket.close(StoryCloseCode.Unauthorized, 'Unauthorized: token expired');
            },
            Math.max(0, viewer.expiresAt - Date.now()),
          );
          timer.unref();
          expiryTimers.add(timer);
          ctx.extra.socket.once('close', () => {
            clearTimeout(timer);
            expiryTimers.delete(timer);
          });
        }
        return true;
      },
      onNext: (ctx, id, _params, _args, result) => {
        const json = sharedResultJson(result);
        if (json === undefined) return undefined;
        let frames = pendingFrames.get(ctx.extra.socket);
        if (!frames) {
          frames = new Map();
          pendingFrames.set(ctx.extra.socket, frames);
        }
        frames.set(id, `{"id":${JSON.stringify(id)},"type":"next","payload":${json}}`);
        return SHARED_STAND_IN;
      },
      onSubscribe: async (ctx, _id, params) => {
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params,
          viewer: ctx.extra.viewer,
        });
        let document: ReturnType<typeof parse>;
        try {
          document = parse(params.query);
        } catch (error) {
          return [error as never];
        }
        const errors = validate(schema, document);
        if (errors.length) return errors;
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
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      for (const client of wss.clients)
        client.close(StoryCloseCode.GoingAway, 'Server shutting down');
      await graphqlWs.dispose();
      for (const timer of expiryTimers) clearTimeout(timer);
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
