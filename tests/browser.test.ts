import { describe, expect, it } from 'vitest';
import { startApp } from './helpers/app.ts';
import { browserSuite, chromiumAvailable } from './helpers/browser.ts';
import { execute } from './helpers/graphql.ts';

// Debian's chromium, installed by .ci/run. Without it these tests skip, loudly.
const available = chromiumAvailable('BROWSER TESTS');

describe.skipIf(!available)('in a real browser', () => {
  const app = startApp();
  const suite = browserSuite();

  async function touchSummit(description: string): Promise<number> {
    const { yoga } = await app;
    const current = await execute(
      yoga,
      '{ summit(slug: "sco-summit-samarkand-2022") { id version } }',
    );
    const result = await execute(
      yoga,
      'mutation ($input: UpdateSummitInput!) { updateSummit(input: $input) { summit { version history(last: 1) { edges { node { sequence } } } } } }',
      {
        input: {
          id: current.data.summit.id,
          expectedVersion: current.data.summit.version,
          patch: { description },
        },
      },
      suite.editor,
    );
    expect(result.errors).toBeUndefined();
    return result.data.updateSummit.summit.history.edges[0].node.sequence;
  }

  it('shows a change on the /live page as it happens', async () => {
    const { port } = await app;
    const page = await suite.browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/live`);
    await page.waitForFunction(
      () => document.getElementById('status')?.textContent === 'live',
      null,
      { timeout: 15_000 },
    );
    const sequence = await touchSummit('Seen in the browser');
    const item = page.locator(`li[data-sequence="${sequence}"]`);
    await item.waitFor({ timeout: 10_000 });
    const text = await item.textContent();
    expect(text).toContain('Summit');
    expect(text).toContain('"Seen in the browser"');
    expect(await item.getAttribute('class')).toBe('fresh');
    await page.close();
  });

  it('runs a subscription in GraphiQL over WebSocket', async () => {
    const { port } = await app;
    const page = await suite.browser.newPage();
    const sockets: string[] = [];
    page.on('websocket', (socket) => sockets.push(socket.url()));
    const query = 'subscription { storyEvents { sequence entity changes { after } } }';
    await page.goto(`http://127.0.0.1:${port}/graphql?query=${encodeURIComponent(query)}`);
    await page.locator('.graphiql-execute-button').click({ timeout: 15_000 });
    // The subscription is open once the socket is; a change then shows up in the result pane.
    for (let i = 0; i < 50 && sockets.length === 0; i += 1) await page.waitForTimeout(100);
    expect(sockets[0]).toBe(`ws://127.0.0.1:${port}/graphql`);
    await page.waitForTimeout(500);
    const sequence = await touchSummit('Seen in GraphiQL');
    await page.waitForFunction(
      // GraphiQL's result editor writes spaces as non-breaking ones.
      (expected) => document.body.textContent?.replace(/\u00a0/g, ' ').includes(expected),
      'Seen in GraphiQL',
      { timeout: 10_000 },
    );
    const text = ((await page.locator('body').textContent()) ?? '').replace(/\u00a0/g, ' ');
    expect(text).toContain(`"sequence": ${sequence}`);
    await page.close();
  });
});
