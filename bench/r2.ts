// R2: the reference for fan-out. A raw `ws` server speaking graphql-transport-ws: it acknowledges
// connection_init, records each `subscribe`, and for every event serializes the payload once and
// frames it per subscriber (only the operation id differs). Events come from POST /publish, which
// commits the same kind of transaction storygraph does (head lock, row update, event insert).
// Over SSE (GET /graphql with `Accept: text/event-stream`) it writes the same serialized payload as
// graphql-sse's `next` event to every open stream.
//   PORT=… DATABASE_URL=… node --import tsx bench/r2.ts
import { createServer, type ServerResponse } from 'node:http';
import pg from 'pg';
import { type WebSocket, WebSocketServer } from 'ws';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
pool.on('error', () => {});

// socket → operation ids subscribed on it
const subscribers = new Map<WebSocket, Set<string>>();

// open server-sent event streams
const streams = new Set<ServerResponse>();

const http = createServer((request, response) => {
  if (request.method === 'GET' && request.headers.accept?.includes('text/event-stream')) {
    response.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    response.write(':\n\n');
    streams.add(response);
    response.once('close', () => streams.delete(response));
    return;
  }
  if (request.method !== 'POST' || request.url !== '/publish') {
    response.writeHead(404).end();
    return;
  }
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', async () => {
    const { summitId, description } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const head = await client.query('SELECT sequence FROM "StoryHead" WHERE id = 1 FOR UPDATE');
      const sequence = (head.rows[0].sequence as number) + 1;
      const summit = await client.query(
        'UPDATE "Summit" SET description = $2, version = version + 1, "updatedAt" = now() WHERE id = $1 RETURNING version',
        [summitId, description],
      );
      const changes = [{ field: 'description', after: description }];
      const event = await client.query(
        `INSERT INTO "StoryEvent" (sequence, kind, "entityType", "entityId", "entityVersion", changes, "relatedIds", "actorRole")
         VALUES ($1, 'UPDATED', 'Summit', $2, $3, $4, '{}', 'editor') RETURNING "occurredAt"`,
        [sequence, summitId, summit.rows[0].version, JSON.stringify(changes)],
      );
      await client.query('UPDATE "StoryHead" SET sequence = $1 WHERE id = 1', [sequence]);
      await client.query('COMMIT');
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ sequence }));
      // Serialized once; framed per subscriber.
      const payload = JSON.stringify({
        data: {
          storyEvents: {
            sequence,
            occurredAt: (event.rows[0].occurredAt as Date).toISOString(),
            changes,
          },
        },
      });
      for (const [socket, ids] of subscribers) {
        for (const id of ids) {
          socket.send(`{"id":${JSON.stringify(id)},"type":"next","payload":${payload}}`);
        }
      }
      const frame = `event: next\ndata: ${payload}\n\n`;
      for (const stream of streams) stream.write(frame);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      response.writeHead(500).end(String(error));
    } finally {
      client.release();
    }
  });
});

const wss = new WebSocketServer({
  server: http,
  path: '/graphql',
  handleProtocols: (protocols) =>
    protocols.has('graphql-transport-ws') ? 'graphql-transport-ws' : false,
});
wss.on('connection', (socket) => {
  socket.on('message', (data) => {
    const message = JSON.parse(String(data));
    switch (message.type) {
      case 'connection_init':
        socket.send('{"type":"connection_ack"}');
        break;
      case 'ping':
        socket.send('{"type":"pong"}');
        break;
      case 'subscribe': {
        let ids = subscribers.get(socket);
        if (!ids) {
          ids = new Set();
          subscribers.set(socket, ids);
        }
        ids.add(message.id);
        break;
      }
      case 'complete':
        subscribers.get(socket)?.delete(message.id);
        break;
    }
  });
  socket.on('close', () => subscribers.delete(socket));
});

http.listen(Number(process.env.PORT), '127.0.0.1', () => console.info('r2 ready'));
process.on('SIGTERM', () => {
  for (const socket of wss.clients) socket.terminate();
  for (const stream of streams) stream.destroy();
  http.close();
  void pool.end().then(() => process.exit(0));
});
