import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { tokenFor } from './app.ts';

/** Debian's chromium, installed by .ci/run (or `CHROMIUM_PATH`). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Whether browser tests can run here; when not, says so loudly once per file. */
export function chromiumAvailable(suite: string): boolean {
  const available = existsSync(CHROMIUM);
  if (!available) {
    console.warn(
      `\n!!! ${suite} SKIPPED: no chromium at ${CHROMIUM} (apt-get install chromium) !!!\n`,
    );
  }
  return available;
}

/** Headless Chromium that stays off the network: root in CI needs --no-sandbox. */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Opens `path` on the server at `port` in a new 1400×860 page, collecting every script error and
 * every request that leaves the server (the pages must work offline, with no CDN).
 */
export async function openPage(
  browser: Browser,
  port: number,
  path: string,
): Promise<{ page: Page; problems: string[] }> {
  const origin = `http://127.0.0.1:${port}`;
  const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`script error: ${error.message}`));
  page.on('request', (request) => {
    // Same origin, its WebSocket, and what the page makes itself (data:, blob: workers).
    const url = request.url().replace(/^blob:/, '');
    if (
      !url.startsWith(origin) &&
      !url.startsWith(`ws://127.0.0.1:${port}`) &&
      !url.startsWith('data:')
    ) {
      problems.push(`request outside the server: ${url}`);
    }
  });
  await page.goto(`${origin}${path}`);
  return { page, problems };
}

/** Waits until the page's connection badge (`#status`) says `live`. */
export async function waitUntilLive(page: Page): Promise<void> {
  await page.waitForFunction(
    () => document.getElementById('status')?.textContent === 'live',
    null,
    {
      timeout: 15_000,
    },
  );
}

/** What a browser test file shares: one Chromium and an editor token, ready before its tests. */
export interface BrowserSuite {
  readonly browser: Browser;
  readonly editor: string;
}

/**
 * Launches Chromium before the file's tests and closes it after them, and signs an editor token;
 * call it inside the file's `describe`.
 */
export function browserSuite(): BrowserSuite {
  const state = {} as { browser: Browser; editor: string };
  beforeAll(async () => {
    state.browser = await launchChromium();
    state.editor = await tokenFor('editor');
  });
  afterAll(async () => {
    await state.browser?.close();
  });
  return state;
}
