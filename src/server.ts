import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { hostname } from 'node:os';
import type { ExecutionArgs } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { type WebSocket, WebSocketServer } from 'ws';
import { type AuthOptions, connectionToken, TokenError, type Viewer, viewerOf } from './auth.ts';
import { runAt } from './timers.ts';
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

type Run = (args: ExecutionArgs) => never;
type EnvelopedArgs = ExecutionArgs & { rootValue: { execute: Run; subscribe: Run } };

type Extra = {
  socket: WebSocket;
  request: IncomingMessage;
  viewer?: Viewer;
};

/**
 * Mounts Yoga on a Node HTTP server, with graphql-ws on the same path and port. Operations over
 * WebSocket go through `yoga.getEnveloped`, so they run the same plugins, context and error
 * masking as HTTP. Tests build it on port 0; `main.ts` builds it on `PORT`.
 */
export function buildServer(yoga: StoryYoga, auth: AuthOptions): StoryServer {
  // Every response, WebSocket upgrades included, names the instance that served it: behind a
  // proxy that spreads clients over replicas, this is how an operator (and the compose test)
  // tells them apart. In a container the host name is the container ID.
  const servedBy = hostname();
  const http = createServer((request, response) => {
    response.setHeader('x-served-by', servedBy);
    return yoga(request, response);
  });
  const connections = new Set<Socket>();
  http.on('connection', (socket) => {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
  });

  const wss = new WebSocketServer({ server: http, path: yoga.graphqlEndpoint });
  wss.on('headers', (headers) => headers.push(`X-Served-By: ${servedBy}`));
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
