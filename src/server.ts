import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { StoryYoga } from './yoga.ts';

/** A running HTTP server for one Yoga instance. */
export interface StoryServer {
  /** Starts listening; resolves with the bound port (useful with port 0). */
  listen(port: number, host?: string): Promise<number>;
  /** Stops accepting, lets in-flight requests finish (up to `graceMs`), then closes. */
  close(graceMs?: number): Promise<void>;
  readonly http: Server;
}

/**
 * Mounts Yoga on a Node HTTP server with a graceful close. Tests build it on port 0; `main.ts`
 * builds it on `PORT`.
 */
export function buildServer(yoga: StoryYoga): StoryServer {
  const http = createServer(yoga);
  const sockets = new Set<Socket>();
  http.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  return {
    http,
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
      // Idle keep-alive sockets would hold `close` open forever; busy ones finish first.
      http.closeIdleConnections();
      const timer = setTimeout(() => {
        for (const socket of sockets) socket.destroy();
      }, graceMs);
      timer.unref();
      await closed;
      clearTimeout(timer);
    },
  };
}
