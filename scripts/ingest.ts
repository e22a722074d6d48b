// Ingests one article from a text file through the GraphQL API and prints what was linked.
//   npm run ingest -- FILE --published 2022-09-07 [--headline "..."] [--source ...] [--url ...]
// The first line of FILE is the headline unless --headline is given; the rest is the body.
// With STORYGRAPH_URL set, the article goes to that running server (token from TOKEN, or signed
// with JWT_SECRET); otherwise the API runs in this process against the configured database
// (DATABASE_URL, or the embedded one in DATA_DIR), migrated first like `npm start` does.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { resolveSecret, signToken } from '../src/core/auth.ts';
import { ConfigError, getEnv } from '../src/infra/env.ts';

const USAGE =
  'usage: npm run ingest -- FILE --published YYYY-MM-DD[THH:MM:SSZ] [--headline TEXT] [--source NAME] [--url URL]';

const INGEST = `mutation IngestFromFile($input: IngestArticleInput!) {
  ingestArticle(input: $input) {
    created
    article {
      slug headline publishedAt
      mentions(first: 100) {
        edges { node { matchedBy spans { text }
          entity { __typename ... on Leader { name } ... on Organization { name } ... on Summit { name } } } }
      }
      timeExpressions { text from to precision }
      attributions { source { name kind } inHeadline }
      quotes { text }
    }
    proposals { text kind spans { start } }
  }
}`;

function fail(message: string, code = 2): never {
  console.error(message);
  process.exit(code);
}

let parsed: ReturnType<typeof parseArgs>;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      published: { type: 'string' },
      headline: { type: 'string' },
      source: { type: 'string' },
      url: { type: 'string' },
    },
  });
} catch (error) {
  fail(`${(error as Error).message}\n${USAGE}`);
}
const { values, positionals } = parsed as {
  values: Record<string, string | undefined>;
  positionals: string[];
};
const [file] = positionals;
if (!file || positionals.length > 1 || !values.published) fail(USAGE);

const published = /^\d{4}-\d{2}-\d{2}$/.test(values.published)
  ? `${values.published}T00:00:00.000Z`
  : values.published;
let text: string;
try {
  text = readFileSync(file, 'utf8');
} catch (error) {
  fail(`can not read ${file}: ${(error as Error).message}`, 1);
}
const lines = text.replace(/\r\n/g, '\n').split('\n');
const headline = values.headline ?? lines.shift()?.trim() ?? '';
const body = (values.headline ? text : lines.join('\n')).trim();

let env: ReturnType<typeof getEnv>;
try {
  env = getEnv();
} catch (error) {
  fail(error instanceof ConfigError ? error.message : String(error), 1);
}
const token =
  process.env.TOKEN ||
  (await signToken('editor', resolveSecret(env).secret, {
    expiresIn: '10m',
    subject: 'ingest-cli',
  }));
const request = {
  method: 'POST',
  headers: {
    'content-type': 'application/json',
    accept: 'application/graphql-response+json, application/json',
    authorization: `Bearer ${token}`,
  },
  body: JSON.stringify({
    query: INGEST,
    variables: {
      input: {
        headline,
        body,
        publishedAt: published,
        ...(values.source ? { source: values.source } : {}),
        ...(values.url ? { url: values.url } : {}),
      },
    },
  }),
};

type Answer = {
  // biome-ignore lint/suspicious/noExplicitAny: printed, not computed on
  data?: { ingestArticle: any } | null;
  errors?: { message: string; extensions?: { code?: string } }[];
};
let answer: Answer;
const remote = process.env.STORYGRAPH_URL;
if (remote) {
  // A server that is down or answers something other than GraphQL is one line, not a stack trace.
  let response: Response;
  try {
    response = await fetch(remote, request);
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    fail(
      `can not reach ${remote}: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
      1,
    );
  }
  try {
    answer = (await response.json()) as Answer;
  } catch {
    fail(`${remote} did not answer with GraphQL (HTTP ${response.status})`, 1);
  }
} else {
  // The API in this process: the same schema, auth and error masking as the server.
  const { openDatabase } = await import('../src/infra/db.ts');
  const database = openDatabase(env);
  const { migrate } = await import('../src/infra/migrate.ts');
  const { seedIfEmpty } = await import('../src/story/seed.ts');
  const { createStoryApp } = await import('../src/app.ts');
  if (env.MIGRATE_ON_START) {
    await migrate(database);
    await seedIfEmpty(database.prisma);
  }
  const app = createStoryApp({
    auth: { secret: resolveSecret(env).secret },
    redisUrl: env.REDIS_URL,
    database,
  });
  try {
    const response = await app.yoga.fetch('http://storygraph.local/graphql', request);
    answer = (await response.json()) as Answer;
  } finally {
    await app.close();
    await database.close();
  }
}

if (answer.errors?.length || !answer.data) {
  for (const error of answer.errors ?? []) {
    console.error(`${error.extensions?.code ?? 'ERROR'}: ${error.message}`);
  }
  process.exit(1);
}

const { created, article, proposals } = answer.data.ingestArticle;
const out: string[] = [
  `${created ? 'ingested' : 'already ingested (nothing changed)'}: ${article.slug}`,
  `  ${article.headline} (${article.publishedAt})`,
  `linked ${article.mentions.edges.length}:`,
];
for (const { node } of article.mentions.edges) {
  const names = [...new Set(node.spans.map((s: { text: string }) => s.text))].join('", "');
  out.push(
    `  ${node.entity.__typename.padEnd(12)} ${node.entity.name}  [${node.matchedBy}] ${node.spans.length}× "${names}"`,
  );
}
out.push(`dates ${article.timeExpressions.length}:`);
for (const t of article.timeExpressions) {
  out.push(`  "${t.text}" → ${t.from === t.to ? t.from : `${t.from} … ${t.to}`} (${t.precision})`);
}
out.push(`sources ${article.attributions.length}:`);
for (const a of article.attributions) {
  out.push(`  ${a.source.name} (${a.source.kind})${a.inHeadline ? ' in the headline' : ''}`);
}
out.push(`quotes ${article.quotes.length}`);
out.push(`proposals ${proposals.length}:`);
for (const p of proposals) out.push(`  ${p.kind.padEnd(12)} ${p.text} (${p.spans.length}×)`);
console.log(out.join('\n'));
process.exit(0);
