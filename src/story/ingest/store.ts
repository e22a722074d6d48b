import { db } from '../../db.ts';
import { badInput, ErrorCode, userError } from '../../errors.ts';
import type {
  Article,
  Leader,
  Organization,
  OrganizationKind,
  Prisma,
  Summit,
  SummitStatus,
} from '../../generated/prisma/client.ts';
import { encodeGlobalId } from '../../global-id.ts';
import {
  diffFields,
  notFound,
  type Recorder,
  type Tx,
  type Writer,
  writeChange,
} from '../changes.ts';
import { createRow } from '../editing.ts';
import { linkMentionRow } from '../links.ts';
import { MAX_SPANS_PER_MENTION } from '../mentions.ts';
import type { Attribution } from './attributions.ts';
import type { TimeExpression } from './dates.ts';
import type { EntityType, KnownEntities, MatchedBy } from './entities.ts';
import type { Proposal } from './proposals.ts';
import type { Quote } from './quotes.ts';
import { fold, type Span } from './text.ts';

/** What `Article.analysis` holds for an ingested article. */
export interface StoredAnalysis {
  timeExpressions: TimeExpression[];
  attributions: Attribution[];
  quotes: Quote[];
  proposals: Proposal[];
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
export async function loadKnownEntities(client: Tx | typeof db = db): Promise<KnownEntities> {
  const [leaders, organizations, summits] = await Promise.all([
    client.leader.findMany({ select: { id: true, name: true, aliases: true, country: true } }),
    client.organization.findMany({ select: { id: true, name: true, acronym: true } }),
    client.summit.findMany({
      select: { id: true, name: true, organizerId: true, city: true, startsOn: true },
    }),
  ]);
  return { leaders, organizations, summits };
}

function findExisting(client: Tx | typeof db, input: IngestInput): Promise<Article | null> {
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
async function freeSlug(
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
 * Links what the analysis found, through the same path as an editor's links (one LINKED event
 * each). A mention keeps at most {@link MAX_SPANS_PER_MENTION} spans, the first ones in the text.
 */
async function writeMentions(
  tx: Tx,
  record: Recorder,
  article: Article,
  mentions: readonly { type: EntityType; id: number; matchedBy: MatchedBy; spans: Span[] }[],
): Promise<Article> {
  let latest = article;
  for (const mention of mentions) {
    latest = await linkMentionRow(
      tx,
      record,
      {
        articleId: encodeGlobalId('Article', article.id),
        type: mention.type,
        entityId: encodeGlobalId(mention.type, mention.id),
      },
      mention.spans.slice(0, MAX_SPANS_PER_MENTION),
      mention.matchedBy,
    );
  }
  return latest;
}

/**
 * Ingests an article: analyses it against the known entities, then in one transaction creates
 * it with its links and analysis and logs its CREATED event and one LINKED event per link, all
 * naming the linked entities so that feeds following any of them hear of it. The same URL (or,
 * without one, the same headline and body) a second time returns the article already there and
 * writes nothing.
 */
export async function ingestArticle(writer: Writer, input: IngestInput): Promise<IngestResult> {
  if (!input.body.trim()) throw badInput('"body" must not be empty.', { field: 'body' });
  const earlier = await findExisting(db, input);
  if (earlier)
    return {
      article: earlier,
      proposals: readAnalysis(earlier.analysis).proposals,
      created: false,
    };

  // The analysis runs before the transaction: it is pure and can take a while on long texts,
  // and the transaction holds the lock every writer waits on.
  // Loaded on first use: the date parser and the tagger weigh tens of megabytes, and most
  // instances never ingest.
  const { analyzeArticle } = await import('./analyze.ts');
  const analysis = analyzeArticle(input, await loadKnownEntities());
  const { result } = await writeChange(writer, async (tx, record) => {
    const existing = await findExisting(tx, input);
    if (existing) {
      return {
        article: existing,
        proposals: readAnalysis(existing.analysis).proposals,
        created: false,
      };
    }
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
    });
    const linked = await writeMentions(tx, record, article, analysis.mentions);
    return { article: linked, proposals: analysis.proposals, created: true };
  });
  return result;
}

/** What an editor decides about a proposal. */
export interface AcceptProposalInput {
  articleId: number;
  text: string;
  as: 'LEADER' | 'ORGANIZATION' | 'SUMMIT';
  name?: string | null;
  slug?: string | null;
  title?: string | null;
  country?: string | null;
  aliases?: string[] | null;
  acronym?: string | null;
  kind?: OrganizationKind | null;
  organizerId?: number | null;
  city?: string | null;
  startsOn?: Date | null;
  status?: SummitStatus | null;
}

/** The entity an accepted proposal became, with the article that now links it. */
export interface AcceptProposalResult {
  article: Article;
  entity: (Leader | Organization | Summit) & { __typename: EntityType };
}

const TYPE_OF = { LEADER: 'Leader', ORGANIZATION: 'Organization', SUMMIT: 'Summit' } as const;

/**
 * Turns an open proposal of an article into an entity: creates the leader, organization or summit
 * and links every span of the proposal to it, in one transaction with both events. The proposal
 * is then no longer open.
 */
export async function acceptProposal(
  writer: Writer,
  input: AcceptProposalInput,
  articleGlobalId: string,
): Promise<AcceptProposalResult> {
  const type = TYPE_OF[input.as];
  if (type === 'Summit' && !input.startsOn) {
    throw badInput('A summit needs "startsOn".', { field: 'startsOn' });
  }
  const { result } = await writeChange(writer, async (tx, record) => {
    const article = await tx.article.findUnique({ where: { id: input.articleId } });
    if (!article) notFound('Article', articleGlobalId);
    const analysis = readAnalysis(article.analysis);
    const key = fold(input.text.trim());
    const proposal = analysis.proposals.find((p) => fold(p.text) === key);
    if (!proposal) {
      throw userError(
        ErrorCode.NOT_FOUND,
        `The article has no open proposal "${input.text}". Its proposals: ${analysis.proposals.map((p) => `"${p.text}"`).join(', ') || 'none'}.`,
      );
    }
    const name = input.name?.trim() || proposal.text;
    const slug = input.slug ?? (await freeSlug(tx[lowerFirst(type)] as never, slugify(name)));
    const entity = await createFromProposal(tx, record, type, input, { name, slug, proposal });
    // The version moves once, with the link below: one edit of the article, one new version.
    const withoutProposal = await tx.article.update({
      where: { id: article.id },
      data: {
        analysis: {
          ...analysis,
          proposals: analysis.proposals.filter((p) => p !== proposal),
        } as unknown as Prisma.InputJsonValue,
      },
    });
    const updated = await writeMentions(tx, record, withoutProposal, [
      { type, id: entity.id, matchedBy: 'EDITOR', spans: proposal.spans },
    ]);
    return { article: updated, entity: { ...entity, __typename: type } };
  });
  return result as AcceptProposalResult;
}

const lowerFirst = (type: EntityType) =>
  `${type[0]?.toLowerCase()}${type.slice(1)}` as 'leader' | 'organization' | 'summit';

/** Creates the entity a proposal becomes, through the same path (and CREATED event) as an edit. */
async function createFromProposal(
  tx: Tx,
  record: Recorder,
  type: EntityType,
  input: AcceptProposalInput,
  { name, slug, proposal }: { name: string; slug: string; proposal: Proposal },
): Promise<Leader | Organization | Summit> {
  const options = { label: 'PROPOSAL_ACCEPTED' };
  if (type === 'Leader') {
    // The other ways the article named them ("Mirziyoyev") become aliases.
    const aliases = [
      ...new Set([
        ...(input.aliases ?? []),
        ...proposal.spans.map((s) => s.text).filter((text) => fold(text) !== fold(name)),
      ]),
    ];
    return createRow<Leader>(
      tx,
      record,
      'Leader',
      { slug, name, aliases, title: input.title ?? '', country: input.country ?? '' },
      options,
    );
  }
  if (type === 'Organization') {
    const acronym =
      input.acronym ??
      proposal.spans.map((s) => s.text).find((text) => /^[\p{Lu}\p{N}&-]{2,10}$/u.test(text)) ??
      null;
    return createRow<Organization>(
      tx,
      record,
      'Organization',
      { slug, name, acronym, kind: input.kind ?? 'OTHER' },
      options,
    );
  }
  return createRow<Summit>(
    tx,
    record,
    'Summit',
    {
      slug,
      name,
      organizer: input.organizerId ? encodeGlobalId('Organization', input.organizerId) : null,
      city: input.city ?? '',
      country: input.country ?? '',
      startsOn: input.startsOn,
      status: input.status ?? 'ANNOUNCED',
    },
    options,
  );
}
