import { badInput, ErrorCode, maskError } from '../../core/errors.ts';
import type { Article, Prisma, PrismaClient } from '../../generated/prisma/client.ts';
import type { ArticleFoldDetail } from '../as-of/details.ts';
import { diffFields, type Tx, type Writer, writeChange } from '../changes.ts';
import { recordClaims } from '../claims.ts';
import { encodeGlobalId } from '../global-id.ts';
import { linkNewMentions } from '../links.ts';
import { withContext } from '../mentions.ts';
import type { AnalysisPool } from './analysis-pool.ts';
import type { Analysis } from './analyze.ts';
import type { Attribution } from './attributions.ts';
import type { TimeExpression } from './dates.ts';
import {
  articleIdOfKey,
  claimIngestKey,
  ingestKey,
  LostIngestRace,
  settleIngestKey,
} from './keys.ts';
import type { EntityType, KnownEntities } from './known.ts';
import type { Proposal } from './proposals.ts';
import type { Quote } from './quotes.ts';
import { fold } from './text.ts';

/** What `Article.analysis` holds for an ingested article. */
export interface StoredAnalysis {
  timeExpressions: TimeExpression[];
  attributions: Attribution[];
  quotes: Quote[];
  proposals: Proposal[];
  /** Proposals already accepted, and what each became: a second acceptance names it. */
  accepted?: AcceptedProposal[];
}

/** An accepted proposal: its folded text, and the entity it became. */
export interface AcceptedProposal {
  key: string;
  type: EntityType;
  entityId: number;
}

/** Reads `Article.analysis`, treating anything missing as empty (articles typed in by hand). */
export function readAnalysis(value: unknown): StoredAnalysis {
  const stored = (value && typeof value === 'object' ? value : {}) as Partial<StoredAnalysis>;
  const list = <T>(items: T[] | undefined) => (Array.isArray(items) ? items : []);
  return {
    timeExpressions: list(stored.timeExpressions),
    attributions: list(stored.attributions),
    quotes: list(stored.quotes),
    proposals: list(stored.proposals),
    accepted: list(stored.accepted),
  };
}

/** What `ingestArticle` takes, already validated field by field. */
export interface IngestInput {
  headline: string;
  body: string;
  publishedAt: Date;
  source?: string | null;
  url?: string | null;
  slug?: string | null;
}

/** What `ingestArticle` gives back. */
export interface IngestResult {
  article: Article;
  proposals: Proposal[];
  /** False when the article was already there (same URL, or same headline and body). */
  created: boolean;
}

const ARTICLE_FIELDS = ['slug', 'headline', 'body', 'source', 'url', 'publishedAt'] as const;

/** Every leader, organization and summit, as the matcher needs them. */
export async function loadKnownEntities(client: Tx | PrismaClient): Promise<KnownEntities> {
  const [leaders, organizations, summits] = await Promise.all([
    client.leader.findMany({ select: { id: true, name: true, aliases: true, country: true } }),
    client.organization.findMany({ select: { id: true, name: true, acronym: true } }),
    client.summit.findMany({
      select: { id: true, name: true, organizerId: true, city: true, startsOn: true },
    }),
  ]);
  return { leaders, organizations, summits };
}

function findExisting(client: Tx | PrismaClient, input: IngestInput): Promise<Article | null> {
  return input.url
    ? client.article.findFirst({ where: { url: input.url }, orderBy: { id: 'asc' } })
    : client.article.findFirst({
        where: { headline: input.headline, body: input.body },
        orderBy: { id: 'asc' },
      });
}

/** A slug made of a text's words: lower case, no diacritics, hyphens between, at most 80 long. */
export function slugify(text: string): string {
  const words = fold(text)
    .normalize('NFD')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter(Boolean);
  let slug = '';
  for (const word of words) {
    const next = slug ? `${slug}-${word}` : word;
    if (next.length > 80) break;
    slug = next;
  }
  return slug || 'untitled';
}

/** `base`, or `base-2`, `base-3`… whichever is free in `model`. */
export async function freeSlug(
  model: { findMany(args: object): Promise<{ slug: string }[]> },
  base: string,
): Promise<string> {
  const taken = new Set(
    (await model.findMany({ where: { slug: { startsWith: base } }, select: { slug: true } })).map(
      (row) => row.slug,
    ),
  );
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

function sourceFor(input: IngestInput): string {
  if (input.source?.trim()) return input.source.trim();
  if (input.url) return new URL(input.url).hostname.replace(/^www\./, '');
  return 'unknown';
}

/**
 * Ingests an article: analyses it against the known entities, then in one transaction creates
 * it with its links and analysis and logs its CREATED event and one LINKED event per link, all
 * naming the linked entities so that feeds following any of them hear of it. The same URL (or,
 * without one, the same headline and body) a second time returns the article already there and
 * writes nothing, also when both arrive at once: the article's {@link ingestKey} decides.
 */
export async function ingestArticle(
  writer: Writer & { analysis: AnalysisPool },
  input: IngestInput,
): Promise<IngestResult> {
  if (!input.body.trim()) throw badInput('"body" must not be empty.', { field: 'body' });
  const key = ingestKey(input);
  const earlier = await findEarlier(writer.db, input, key);
  if (earlier) return alreadyThere(earlier);

  // The analysis runs before the transaction, on the pool's threads: it is pure and can take a
  // while on long texts, and the transaction holds the lock every writer waits on.
  const { headline, body, publishedAt } = input;
  const analysis = await writer.analysis.analyze(
    { headline, body, publishedAt },
    await loadKnownEntities(writer.db),
  );
  for (let attempt = 1; ; attempt++) {
    try {
      return await createIngested(writer, input, key, analysis);
    } catch (error) {
      if ((error as Error).name === LostIngestRace.name) {
        // Another ingestion of this article committed first: theirs is the article.
        const winner = await findEarlier(writer.db, input, key);
        if (winner) return alreadyThere(winner);
      } else if (input.slug || !takenSlug(error)) {
        throw error;
      }
      // The winner was deleted meanwhile, or a concurrent ingestion of another article took the
      // slug generated from the same headline: try again with a fresh look.
      if (attempt === 3) throw error;
    }
  }
}

/** The article an earlier ingestion stored under `key`, or one typed in with the same URL or text. */
async function findEarlier(
  db: PrismaClient,
  input: IngestInput,
  key: string,
): Promise<Article | null> {
  const id = await articleIdOfKey(db, key);
  if (id !== undefined) {
    const article = await db.article.findUnique({ where: { id } });
    if (article) return article;
  }
  return findExisting(db, input);
}

function alreadyThere(article: Article): IngestResult {
  return { article, proposals: readAnalysis(article.analysis).proposals, created: false };
}

/** Whether `error` is a CONFLICT on an article's slug. */
function takenSlug(error: unknown): boolean {
  const masked = maskError(error, '') as { extensions?: { code?: unknown; fields?: unknown } };
  return (
    masked.extensions?.code === ErrorCode.CONFLICT &&
    Array.isArray(masked.extensions.fields) &&
    masked.extensions.fields.includes('slug')
  );
}

async function createIngested(
  writer: Writer,
  input: IngestInput,
  key: string,
  analysis: Analysis,
): Promise<IngestResult> {
  const { result } = await writeChange(writer, async (tx, record) => {
    if (!(await claimIngestKey(tx, key))) throw new LostIngestRace();
    const slug = input.slug ?? (await freeSlug(tx.article, slugify(input.headline)));
    const stored: StoredAnalysis = {
      timeExpressions: analysis.timeExpressions,
      attributions: analysis.attributions,
      quotes: analysis.quotes,
      proposals: analysis.proposals,
    };
    const article = await tx.article.create({
      data: {
        slug,
        headline: input.headline,
        body: input.body,
        source: sourceFor(input),
        url: input.url ?? null,
        publishedAt: input.publishedAt,
        analysis: stored as unknown as Prisma.InputJsonValue,
      },
    });
    await settleIngestKey(tx, key, article.id);
    const related = analysis.mentions.map((m) => encodeGlobalId(m.type, m.id));
    const empty = Object.fromEntries(ARTICLE_FIELDS.map((field) => [field, null]));
    await record({
      kind: 'CREATED',
      label: 'ARTICLE_INGESTED',
      entityType: 'Article',
      entityId: article.id,
      entityVersion: article.version,
      changes: diffFields(empty, article as unknown as Record<string, unknown>, ARTICLE_FIELDS),
      relatedIds: related,
      detail: { analysis: article.analysis } satisfies ArticleFoldDetail,
    });
    // One insert per mention table and one LINKED event per link: the statements an ingestion
    // sends do not grow with the number of mentions, and the article stays at its first version.
    await linkNewMentions(
      tx,
      record,
      article,
      analysis.mentions.map((mention) => ({
        ...mention,
        spans: withContext(article.body, mention.spans),
      })),
    );
    // What it says happens: each claim attached to the one occurrence it matches, or left as an
    // occurrence proposal; never an occurrence created silently.
    await recordClaims(tx, record, {
      articleId: article.id,
      drafts: analysis.claims,
      attributions: analysis.attributions,
    });
    return { article, proposals: analysis.proposals, created: true };
  });
  return result;
}
