// Summarizes a V8 .cpuprofile (from `node --cpu-prof`): self time by package and the hottest
// functions, so a missed goal can name where the time goes.
//   npx tsx bench/profile-summary.ts bench/profiles/storygraph-….cpuprofile [top]
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a script lives, in a word: its npm package, the app, node internals, or a V8 marker. */
export function bucketOf(url: string, functionName: string): string {
  if (!url) return `(${functionName || 'program'})`;
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (match) return match[1] as string;
  if (url.startsWith('node:')) return 'node internals';
  if (url.includes('/dist/src/') || url.includes('/src/')) return 'storygraph';
  return url;
}

export function summarize(profile: Profile, top = 25): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  let total = 0;
  const buckets = new Map<string, number>();
  const functions = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    total += us;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') continue;
    const bucket = bucketOf(url, functionName);
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + us);
    const name = `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '')}:${lineNumber + 1}`;
    functions.set(name, (functions.get(name) ?? 0) + us);
  }
  const idle = [...selfUs].reduce(
    (sum, [id, us]) => (byId.get(id)?.callFrame.functionName === '(idle)' ? sum + us : sum),
    0,
  );
  const busy = total - idle;
  const pct = (us: number) => `${((us / busy) * 100).toFixed(1)} %`;
  const lines = [`busy ${(busy / 1000).toFixed(0)} ms of ${(total / 1000).toFixed(0)} ms sampled`];
  lines.push('', 'self time by package:');
  for (const [bucket, us] of [...buckets].sort((a, b) => b[1] - a[1]).slice(0, top))
    lines.push(`  ${pct(us).padStart(7)}  ${bucket}`);
  lines.push('', 'hottest functions (self time):');
  for (const [name, us] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, top))
    lines.push(`  ${pct(us).padStart(7)}  ${name}`);
  return lines.join('\n');
}

if (process.argv[1]?.endsWith('profile-summary.ts')) {
  const [file, top] = process.argv.slice(2);
  if (!file) throw new Error('usage: profile-summary.ts FILE.cpuprofile [top]');
  console.info(summarize(JSON.parse(readFileSync(file, 'utf8')) as Profile, Number(top ?? 25)));
}
