import { onQuery } from '../../src/infra/db.ts';

/** Records the SQL statements Prisma sends while `work` runs. */
export async function recordSql<T>(
  work: () => Promise<T>,
): Promise<{ result: T; statements: string[] }> {
  const statements: string[] = [];
  const stop = onQuery((event) => statements.push(event.query));
  try {
    const result = await work();
    return { result, statements };
  } finally {
    stop();
  }
}
