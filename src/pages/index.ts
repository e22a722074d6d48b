// The pages a person opens, `/story` (the story as a graph and a timeline) and `/live` (the feed
// as it arrives), and the scripts they load. Each page is a real file beside this one (HTML with
// its own CSS and script inline; head.html, storygraph.css and storygraph.js are what both share).
// The pages hold no data: they read the story through `/graphql` like any client. `npm run build`
// copies the files next to the compiled module (scripts/copy-assets.mjs).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Plugin } from 'graphql-yoga';

const require = createRequire(import.meta.url);
const beside = (name: string) => readFile(new URL(`./${name}`, import.meta.url), 'utf8');

/**
 * A page with its shared parts filled in: `<!--#include head.html-->` stands for the file beside
 * it, so what both pages share (the head, its stylesheet link) is written once.
 */
async function page(name: string): Promise<string> {
  const text = await beside(name);
  const parts = [...text.matchAll(/<!--#include ([\w.-]+)-->\n?/g)];
  let filled = text;
  for (const [marker, file] of parts) filled = filled.replace(marker, await beside(file as string));
  return filled;
}

const HTML = 'text/html; charset=utf-8';
const JAVASCRIPT = 'text/javascript; charset=utf-8';

/** What is served, by path: read once, on first request. */
const FILES: Record<string, { type: string; load: () => Promise<string>; cache?: string }> = {
  '/story': { type: HTML, load: () => page('story.html') },
  '/live': { type: HTML, load: () => page('live.html') },
  '/assets/storygraph.css': {
    type: 'text/css; charset=utf-8',
    load: () => beside('storygraph.css'),
    cache: 'public, max-age=3600',
  },
  '/assets/storygraph.js': {
    type: JAVASCRIPT,
    load: () => beside('storygraph.js'),
    cache: 'public, max-age=3600',
  },
  // Served from the installed package (its UMD build defines `window.cytoscape`): no CDN.
  '/assets/cytoscape.min.js': {
    type: JAVASCRIPT,
    load: () => readFile(require.resolve('cytoscape/dist/cytoscape.min.js'), 'utf8'),
    cache: 'public, max-age=3600',
  },
};

/** Serves `/live`, `/story` and the scripts they load. */
export function useStoryPages(): Plugin {
  const loaded = new Map<string, Promise<string>>();
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (request.method !== 'GET' && request.method !== 'HEAD') return;
      const file = FILES[url.pathname];
      if (!file) return;
      let body = loaded.get(url.pathname);
      if (!body) {
        body = file.load();
        loaded.set(url.pathname, body);
        body.catch(() => loaded.delete(url.pathname));
      }
      endResponse(
        new fetchAPI.Response(await body, {
          headers: {
            'content-type': file.type,
            ...(file.cache ? { 'cache-control': file.cache } : {}),
          },
        }),
      );
    },
  };
}
