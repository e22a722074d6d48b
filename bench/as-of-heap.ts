// Run by bench/as-of.ts in its own process (node --expose-gc): fills one AsOfCache with reads at
// random positions of the log at $1 (a database URL), then compares the heap the cache keeps,
// after a full garbage collection, with what it counts against its budget. Prints one JSON line.
import { openPostgres } from '../src/infra/db.ts';
import { AsOfCache } from '../src/story/as-of/source.ts';

const [url, eventsText, cacheMbText] = process.argv.slice(2);
const events = Number(eventsText);
const gc = (globalThis as { gc?: () => void }).gc;
if (!url || !gc)
  throw new Error('usage: node --expose-gc --import tsx bench/as-of-heap.ts URL EVENTS MB');
const database = openPostgres(url, 2);
const cache = new AsOfCache(database.prisma, { every: 1000, cacheMb: Number(cacheMbText) });
gc();
const before = process.memoryUsage().heapUsed;
let state = 7;
for (let i = 0; i < 40; i += 1) {
  state = (state * 1664525 + 1013904223) >>> 0;
  await cache.at(1 + (state % events));
}
gc();
const heap = process.memoryUsage().heapUsed - before;
console.log(
  JSON.stringify({
    heapMb: Math.round((heap / 2 ** 20) * 10) / 10,
    countedMb: Math.round((cache.held.bytes / 2 ** 20) * 10) / 10,
    checkpoints: cache.held.checkpoints,
    pages: cache.held.pages,
  }),
);
await database.close();
