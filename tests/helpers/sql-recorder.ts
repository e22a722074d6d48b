import { onQuery } from '../../src/infra/db.ts';

// The feed reads the story log in the background (woken by a commit, or its poll): those reads
// are nobody's request, and one landing inside a recording made counts flaky.
// These are exactly the feed's two statements: the log's tail after its head, and the head.
const FEED_READ =
  /FROM "public"\."StoryEvent" AS "t0" (WHERE "t0"\."sequence" > \$1 ORDER BY "t0"\."sequence" ASC LIMIT \$2|ORDER BY "t0"\."sequence" DESC LIMIT \$1)$/;

/** Records the SQL statements sent while `work` runs (Prisma's and compiled reads), but the feed's. */
export async function recordSql<T>(
  work: () => Promise<T>,
): Promise<{ result: T; statements: string[] }> {
  const statements: string[] = [];
  const stop = onQuery((event) => {
    if (!FEED_READ.test(event.query)) statements.push(event.query);
  });
  try {
    const result = await work();
    return { result, statements };
  } finally {
    stop();
  }
}
