import { afterAll } from 'vitest';
import { createStoryApp, type StoryApp, type StoryAppOptions } from '../../src/app.ts';
import { type Role, signToken } from '../../src/core/auth.ts';
import { testDatabase } from './database.ts';
import { freePort, waitUntil } from './net.ts';

export { freePort, waitUntil };

/** The Redis the tests share; set `TEST_REDIS_URL` to use another server or database. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The secret every test server signs and checks tokens with. */
export const TEST_SECRET = 'storygraph-test-secret-0123456789abcdef0123456789';

/** A token for `role`, signed with {@link TEST_SECRET}. */
export function tokenFor(
  role: Role,
  options: { expiresIn?: string | number; secret?: string } = {},
): Promise<string> {
  return signToken(role, options.secret ?? TEST_SECRET, options);
}

/** Apps started by {@link startApp} in this file; closed after all its tests. */
const leftovers: StoryApp[] = [];
afterAll(async () => {
  await Promise.all(leftovers.splice(0).map((app) => app.close()));
});

/** An app that is not listening, for `yoga.fetch` tests. */
export function testApp(options: Partial<StoryAppOptions> = {}): StoryApp {
  const app = createStoryApp({
    auth: { secret: TEST_SECRET },
    pollMs: 500,
    database: testDatabase(),
    ...options,
  });
  leftovers.push(app);
  return app;
}

/** An app listening on a free port of 127.0.0.1. */
export async function startApp(
  options: Partial<StoryAppOptions> = {},
): Promise<StoryApp & { port: number; url: string }> {
  const app = testApp(options);
  const port = await app.listen(0, '127.0.0.1');
  return Object.assign(app, { port, url: `http://127.0.0.1:${port}/graphql` });
}

/** Waits until the app's feed serves at least `count` live subscriptions. */
export function waitForSubscribers(app: StoryApp, count: number): Promise<void> {
  return waitUntil(() => app.feed.subscribers >= count, 10_000, `${count} live subscriptions`);
}
