// Accepting a proposal: an editor turns a name the analysis could not link into a leader,
// organization or summit, linked wherever the article uses it. Once only: the article's row is
// locked first, and the accepted proposals are kept in its analysis.
import { badInput, ErrorCode, userError } from '../../core/errors.ts';
import type {
  Article,
  Leader,
  Organization,
  OrganizationKind,
  Prisma,
  Summit,
  SummitStatus,
} from '../../generated/prisma/client.ts';
import { notFound, type Recorder, type Tx, type Writer, writeChange } from '../changes.ts';
import { createRow } from '../entity-writes.ts';
import { encodeGlobalId, idOf } from '../global-id.ts';
import { linkMentionRow } from '../links.ts';
import { MAX_SPANS_PER_MENTION } from '../mentions.ts';
import { MENTION_TYPES, modelOf } from '../registry.ts';
import type { EntityType, MatchedBy } from './known.ts';
import type { Proposal } from './proposals.ts';
import { freeSlug, readAnalysis, slugify } from './store.ts';
import { fold, type Span } from './text.ts';

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
      { articleId: article.id, type: mention.type, entityId: mention.id },
      mention.spans.slice(0, MAX_SPANS_PER_MENTION),
      mention.matchedBy,
    );
  }
  return latest;
}

/** What an editor decides about a proposal; IDs are global IDs, as the API takes them. */
export interface AcceptProposalInput {
  articleId: string;
  text: string;
  as: 'LEADER' | 'ORGANIZATION' | 'SUMMIT';
  name?: string | null;
  slug?: string | null;
  title?: string | null;
  country?: string | null;
  aliases?: string[] | null;
  acronym?: string | null;
  kind?: OrganizationKind | null;
  organizerId?: string | null;
  city?: string | null;
  startsOn?: Date | null;
  status?: SummitStatus | null;
}

/** The entity an accepted proposal became, with the article that now links it. */
export interface AcceptProposalResult {
  article: Article;
  entity: (Leader | Organization | Summit) & { __typename: EntityType };
}

/** The type a proposal becomes, from the API's `as` (LEADER → Leader): any type an article mentions. */
const typeOf = (as: string): EntityType => {
  const type = MENTION_TYPES.find((candidate) => candidate.toUpperCase() === as);
  if (!type) throw badInput(`A proposal cannot become a "${as}".`, { field: 'as' });
  return type;
};

/**
 * Turns an open proposal of an article into an entity: creates the leader, organization or summit
 * and links every span of the proposal to it, in one transaction with both events. The proposal
 * is then no longer open.
 */
export async function acceptProposal(
  writer: Writer,
  input: AcceptProposalInput,
): Promise<AcceptProposalResult> {
  const articleId = idOf('Article', input.articleId);
  const type = typeOf(input.as);
  if (type === 'Summit' && !input.startsOn) {
    throw badInput('A summit needs "startsOn".', { field: 'startsOn' });
  }
  const { result } = await writeChange(writer, async (tx, record) => {
    // The article's row is locked first: of concurrent acceptances of one proposal, the later
    // ones wait here and then read the proposal as accepted.
    await tx.$executeRaw`SELECT 1 FROM "Article" WHERE id = ${articleId} FOR UPDATE`;
    const article = await tx.article.findUnique({ where: { id: articleId } });
    if (!article) notFound('Article', input.articleId);
    const analysis = readAnalysis(article.analysis);
    const key = fold(input.text.trim());
    const proposal = analysis.proposals.find((p) => fold(p.text) === key);
    const accepted = analysis.accepted?.find((entry) => entry.key === key);
    if (!proposal && accepted) {
      const entityId = encodeGlobalId(accepted.type, accepted.entityId);
      throw userError(
        ErrorCode.CONFLICT,
        `The proposal "${input.text}" was already accepted as ${accepted.type} ${entityId}.`,
        { entityId },
      );
    }
    if (!proposal) {
      throw userError(
        ErrorCode.NOT_FOUND,
        `The article has no open proposal "${input.text}". Its proposals: ${analysis.proposals.map((p) => `"${p.text}"`).join(', ') || 'none'}.`,
      );
    }
    const name = input.name?.trim() || proposal.text;
    const slug = input.slug ?? (await freeSlug(modelOf(tx, type), slugify(name)));
    const entity = await CREATE_FROM_PROPOSAL[type]({ tx, record, input, name, slug, proposal });
    // The version moves once, with the link below: one edit of the article, one new version.
    const withoutProposal = await tx.article.update({
      where: { id: article.id },
      data: {
        analysis: {
          ...analysis,
          proposals: analysis.proposals.filter((p) => p !== proposal),
          accepted: [...(analysis.accepted ?? []), { key, type, entityId: entity.id }],
        } as unknown as Prisma.InputJsonValue,
      },
    });
    // The link's event also carries the analysis without the proposal, for the as-of fold.
    const withAnalysis: Recorder = (change) =>
      record(
        change.entityType === 'Article'
          ? {
              ...change,
              detail: { ...(change.detail as object), analysis: withoutProposal.analysis },
            }
          : change,
      );
    const updated = await writeMentions(tx, withAnalysis, withoutProposal, [
      { type, id: entity.id, matchedBy: 'EDITOR', spans: proposal.spans },
    ]);
    return { article: updated, entity: { ...entity, __typename: type } };
  });
  return result as AcceptProposalResult;
}

/** What creating an entity from a proposal is given. */
interface Proposed {
  tx: Tx;
  record: Recorder;
  input: AcceptProposalInput;
  name: string;
  slug: string;
  proposal: Proposal;
}

const PROPOSAL_ACCEPTED = { label: 'PROPOSAL_ACCEPTED' };

/**
 * How each type an article can mention is created from a proposal, through the same path (and
 * CREATED event) as an edit. A record over every mentionable type: a new one does not compile
 * until it says how a proposal becomes one.
 */
const CREATE_FROM_PROPOSAL: Record<
  EntityType,
  (p: Proposed) => Promise<Leader | Organization | Summit>
> = {
  Leader: ({ tx, record, input, name, slug, proposal }) => {
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
      PROPOSAL_ACCEPTED,
    );
  },
  Organization: ({ tx, record, input, name, slug, proposal }) => {
    const acronym =
      input.acronym ??
      proposal.spans.map((s) => s.text).find((text) => /^[\p{Lu}\p{N}&-]{2,10}$/u.test(text)) ??
      null;
    return createRow<Organization>(
      tx,
      record,
      'Organization',
      { slug, name, acronym, kind: input.kind ?? 'OTHER' },
      PROPOSAL_ACCEPTED,
    );
  },
  Summit: ({ tx, record, input, name, slug }) =>
    createRow<Summit>(
      tx,
      record,
      'Summit',
      {
        slug,
        name,
        organizer: input.organizerId ?? null,
        city: input.city ?? '',
        country: input.country ?? '',
        startsOn: input.startsOn,
        status: input.status ?? 'ANNOUNCED',
      },
      PROPOSAL_ACCEPTED,
    ),
};
