import { describe, expect, it } from 'vitest';
import { START_CURSOR } from '../src/live/events.ts';
import { waitUntil } from './helpers/app.ts';
import { follow, processToken, readLog, startApi, startEditor } from './helpers/processes.ts';

const SUMMITS = [
  'sco-summit-samarkand-2022',
  'eastern-economic-forum-2022',
  'ccp-national-congress-2022',
];
const DATABASE_URL = process.env.DATABASE_URL as string;

describe('an instance killed with SIGKILL while editors write through it', () => {
  it('loses nothing it acknowledged and shows nothing that did not commit', async () => {
    const api = await startApi({ DATABASE_URL, FEED_POLL_MS: '500' });
    const token = await processToken('editor');
    const before = new Map<string, { id: string; version: number }>();
    for (const slug of SUMMITS) {
      const { body } = await api.graphql(`{ summit(slug: "${slug}") { id version } }`);
      before.set(slug, body.data.summit);
    }
    const logBefore = await readLog(api);
    // Two editors per summit: they race for each version, so writes queue on the log's lock and
    // some are always in flight.
    const editors = [...SUMMITS, ...SUMMITS].map((slug, index) =>
      startEditor(api, token, slug, `editor ${index}`, 20),
    );
    const acknowledged = () => editors.reduce((sum, editor) => sum + editor.acknowledged.length, 0);
    await waitUntil(() => acknowledged() >= 30, 60_000, '30 acknowledged edits');
    const killedAt = Date.now();
    expect(await api.child.stop('SIGKILL')).toBe('SIGKILL');
    await Promise.all(editors.map((editor) => editor.stop()));

    const attempts = editors.flatMap((editor) => editor.attempts);
    // The requests the kill cut off: sent before it, never answered.
    const inFlight = attempts.filter(
      (attempt) => attempt.at < killedAt && attempt.outcome.startsWith('no answer'),
    );
    // Before the kill, only successes and lost races; after it, no answer at all.
    expect(
      attempts.filter(
        (attempt) =>
          !['ok', 'CONFLICT'].includes(attempt.outcome) && !attempt.outcome.startsWith('no answer'),
      ),
    ).toEqual([]);

    // A new instance on the same database sees exactly what committed.
    const after = await startApi({ DATABASE_URL, FEED_POLL_MS: '500' });
    const log = await readLog(after);
    expect(log.map((event) => event.sequence)).toEqual(log.map((_, index) => index + 1));
    const fresh = log.slice(logBefore.length);
    expect(log.slice(0, logBefore.length)).toEqual(logBefore);

    // Every acknowledged edit is in the log once, with its change.
    const acks = editors.flatMap((editor) => editor.acknowledged);
    for (const ack of acks) {
      const matching = fresh.filter(
        (event) => event.entityId === ack.id && event.entityVersion === ack.version,
      );
      expect(matching).toHaveLength(1);
      expect(matching[0]?.changes).toEqual([{ field: 'description', after: ack.description }]);
    }
    // Each summit's versions advanced one event at a time, and its row is its last event's state.
    let committedUnacknowledged = 0;
    for (const slug of SUMMITS) {
      const start = before.get(slug) as { id: string; version: number };
      const events = fresh.filter((event) => event.entityId === start.id);
      expect(events.map((event) => event.entityVersion)).toEqual(
        events.map((_, index) => start.version + index + 1),
      );
      const { body } = await after.graphql(`{ summit(slug: "${slug}") { version description } }`);
      const last = events.at(-1);
      expect(body.data.summit.version).toBe(last?.entityVersion ?? start.version);
      if (last) expect(body.data.summit.description).toBe(last.changes[0]?.after);
      committedUnacknowledged += events.filter(
        (event) =>
          !acks.some((ack) => ack.id === event.entityId && ack.version === event.entityVersion),
      ).length;
    }
    // An edit can commit and lose its answer with the process; never more than were in flight.
    expect(committedUnacknowledged).toBeLessThanOrEqual(inFlight.length);
    console.log(
      `SIGKILL mid-write: ${acks.length} edits acknowledged, ${inFlight.length} in flight at the kill ` +
        `(${committedUnacknowledged} of them committed), ${attempts.length} attempts in all; log consistent`,
    );

    // And a subscriber resuming from the start receives that log, once each, in order.
    const follower = follow(after.url, START_CURSOR);
    await follower.reach(log.at(-1)?.sequence ?? 0, 15_000);
    expect(follower.events).toEqual(log);
  }, 120_000);
});
