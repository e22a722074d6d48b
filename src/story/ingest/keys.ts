// One article per URL (or, without one, per headline and body), decided by the database: the
// IngestKey table's primary key. Of concurrent ingestions of one article, the first to insert the
// key creates it; PostgreSQL makes the others' inserts wait for that transaction and then do
// nothing, so they roll back and hand back the winner's article.
import { createHash } from 'node:crypto';
import type { Tx } from '../changes.ts';

/** The key an ingestion of `input` claims (the migration that backfilled keys computes the same). */
export function ingestKey(input: { url?: string | null; headline: string; body: string }): string {
  const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
  return input.url
    ? `url:${sha256(input.url)}`
    : `text:${sha256(`${input.headline}\n${input.body}`)}`;
}

/**
 * Claims `key` inside `tx`: true when this transaction now owns it, false when another one
 * already committed it (an insert racing an uncommitted claim waits for that commit or rollback).
 */
export async function claimIngestKey(tx: Tx, key: string): Promise<boolean> {
  const claimed = await tx.$executeRaw`
    INSERT INTO "IngestKey" ("key") VALUES (${key}) ON CONFLICT ("key") DO NOTHING`;
  return claimed === 1;
}

/** Records which article the claimed key stands for, in the claiming transaction. */
export async function settleIngestKey(tx: Tx, key: string, articleId: number): Promise<void> {
  await tx.ingestKey.update({ where: { key }, data: { articleId } });
}

/** The article a committed key stands for, if any. */
export async function articleIdOfKey(
  client: Pick<Tx, 'ingestKey'>,
  key: string,
): Promise<number | undefined> {
  const row = await client.ingestKey.findUnique({ where: { key }, select: { articleId: true } });
  return row?.articleId ?? undefined;
}

/** Thrown inside a transaction that lost the race for a key, to roll it back. */
export class LostIngestRace extends Error {
  override name = 'LostIngestRace';
}
