// Live queries against entity subscriptions, on two instances: N graphql-ws clients, half on each,
// either keep `node(id:) @live` on one summit or subscribe to `summitUpdated` on it; the summit
// is edited through the first instance, one commit after another, and each client's result for
// each commit is timed from the moment the commit was acknowledged. Fresh instances for each
// run, so the memory one kind of client holds is measured from the same start.
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { type Child, percentile, postRaw, sleep, steadyRssKb } from './lib.ts';

export const LIVE_QUERY =
  'query Live($id: ID!) @live { node(id: $id) { ... on Summit { id version description } } }';
export const SUMMIT_SUBSCRIPTION =
  'subscription Updated($id: ID!) { summitUpdated(id: $id) { id version description } }';

export interface LiveRunResult {
  kind: 'live' | 'subscription';
  clients: number;
  commits: number;
  /** Commits some client never saw (neither it nor a later version arrived). */
  lost: number;
  p50Ms: number;
  p99Ms: number;
  /** Memory both instances gained per connected, idle client. */
  rssPerClientKb: number;
}

/**
 * One run: `clients` clients of one kind on `servers` (spread evenly), `commits` edits of the
 * summit through the first server `intervalMs` apart after five unmeasured ones.
 */
export async function runLive(options: {
  kind: 'live' | 'subscription';
  servers: Child[];
  token: string;
  clients: number;
  commits: number;
  intervalMs: number;
  quietMs?: number;
}): Promise<LiveRunResult> {
  const { servers, clients: count } = options;
  const [first] = servers as [Child];
  const summit = JSON.parse(await postRaw(first.url, '{ summit(slug: "summit-9") { id version } }'))
    .data.summit as { id: string; version: number };
  const rss = async () => {
    let total = 0;
    for (const server of servers) total += await steadyRssKb(server.pid, options.quietMs);
    return total;
  };
  const before = await rss();
  // Per client, when each version arrived.
  const arrivals: Map<number, number>[] = [];
  const clients: { dispose(): unknown }[] = [];
  let connected = 0;
  let failures = 0;
  for (let i = 0; i < count; i += 1) {
    // At most 50 handshakes at a time, as the fan-out connects: thousands at once on two busy
    // cores would miss graphql-ws's connection_init deadline.
    const wait = Date.now() + 60_000;
    while (i - connected >= 50 && failures === 0 && Date.now() < wait) await sleep(20);
    const server = servers[i % servers.length] as Child;
    const seen = new Map<number, number>();
    arrivals.push(seen);
    const client = createClient({
      url: server.url.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
      on: {
        // A subscriber counts once its socket is up; a live client once its first answer came.
        connected: () => {
          if (options.kind === 'subscription') connected += 1;
        },
      },
    });
    clients.push(client);
    let answered = false;
    client.subscribe(
      {
        query: options.kind === 'live' ? LIVE_QUERY : SUMMIT_SUBSCRIPTION,
        variables: { id: summit.id },
      },
      {
        next: ({ data }) => {
          const at = Date.now();
          const node = (data as Record<string, { version: number } | null>)[
            options.kind === 'live' ? 'node' : 'summitUpdated'
          ];
          if (node && !seen.has(node.version)) seen.set(node.version, at);
          if (options.kind === 'live' && !answered) {
            answered = true;
            connected += 1;
          }
        },
        error: () => {
          failures += 1;
        },
        complete: () => {},
      },
    );
  }
  try {
    const deadline = Date.now() + 120_000;
    while (connected < count) {
      if (Date.now() > deadline || failures > 0)
        throw new Error(
          `only ${connected} of ${count} ${options.kind} clients (${failures} failed)`,
        );
      await sleep(20);
    }
    const idle = await rss();
    const committedAt = new Map<number, number>();
    const commit = async (i: number) => {
      const body = JSON.parse(
        await postRaw(
          first.url,
          'mutation ($input: UpdateSummitInput!) { updateSummit(input: $input) { summit { version } } }',
          {
            input: {
              id: summit.id,
              expectedVersion: summit.version,
              patch: { description: `live bench ${Date.now()} ${i}` },
            },
          },
          options.token,
        ),
      );
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      summit.version = body.data.updateSummit.summit.version;
      committedAt.set(summit.version, Date.now());
      return summit.version;
    };
    // Both the first live results and the warm-up are left out of the figures.
    for (let i = 0; i < 5; i += 1) {
      await commit(-1 - i);
      await sleep(options.intervalMs);
    }
    const versions: number[] = [];
    for (let i = 0; i < options.commits; i += 1) {
      versions.push(await commit(i));
      await sleep(options.intervalMs);
    }
    const last = versions.at(-1) as number;
    const reached = (seen: Map<number, number>) => [...seen.keys()].some((v) => v >= last);
    const settled = Date.now() + 60_000;
    while (!arrivals.every(reached) && Date.now() < settled) await sleep(50);
    // A commit counts as seen at the first result showing it or a later version (a live client
    // may get two commits in one result; a subscriber gets each).
    const latencies: number[] = [];
    let lost = 0;
    for (const seen of arrivals) {
      const entries = [...seen.entries()].sort((a, b) => a[0] - b[0]);
      for (const version of versions) {
        const hit = entries.find(([v]) => v >= version);
        if (!hit) {
          lost += 1;
          continue;
        }
        latencies.push(Math.max(0, hit[1] - (committedAt.get(version) as number)));
      }
    }
    latencies.sort((a, b) => a - b);
    return {
      kind: options.kind,
      clients: count,
      commits: versions.length,
      lost,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      rssPerClientKb: Math.round(((idle - before) / count) * 10) / 10,
    };
  } finally {
    await Promise.all(clients.map((client) => client.dispose()));
    // Let the servers see the sockets go before they are stopped.
    await sleep(200);
  }
}
