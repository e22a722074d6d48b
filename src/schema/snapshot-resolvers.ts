// How the ordinary types answer inside an `asOf` snapshot. The types under `StorySnapshot` are
// the plain reads' own (Leader, Summit, Claim …), whose relation fields load from the database
// (the Prisma plugin wraps them, and a row it did not load falls back to a query). So once the
// schema is built, every field of every type reachable from `StorySnapshot` that would read
// anything but its parent gets a second path: when the parent is a snapshot row (snapshot.ts),
// the field resolves from the snapshot's tables through the table below; otherwise the original
// resolver runs, after one property test. A field that reads only its parent is left alone.
// A field nobody has classified stops the schema from building, so a new relation can not
// quietly answer a snapshot from the database.
import {
  defaultFieldResolver,
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  getNamedType,
  isAbstractType,
  isObjectType,
} from 'graphql';
import type { Context } from '../context.ts';
import type { StoryEvent } from '../generated/prisma/client.ts';
import type { TableName } from '../story/as-of/tables.ts';
import { readAnalysis, type StoredAnalysis } from '../story/ingest/store.ts';
import { participantOf, rangeOf } from '../story/occurrence-rows.ts';
import { conflictsOf } from '../story/occurrence-rules.ts';
import {
  ENTITIES,
  MENTION_TYPES,
  mentionsOf,
  NODE_TYPES,
  type NodeType,
  PART_OF_COLUMNS,
  PARTICIPANT_COLUMNS,
} from '../story/registry.ts';
import { type MentionRow, mentionConnection } from './analysis.ts';
import { eventConnection } from './live.ts';
import { revisionSequenceOf, revisionsAsOf } from './revision.ts';
import { readSpans } from './scalars.ts';
import {
  orderBy,
  type PageArgs,
  type Row,
  rowConnection,
  SNAPSHOT,
  type Snapshot,
  type SnapshotRow,
  snapshotOf,
} from './snapshot.ts';

/** A field's resolver inside a snapshot: the row, the field's arguments, the snapshot. */
type SnapshotResolver = (
  row: SnapshotRow,
  args: Record<string, unknown> & PageArgs,
  snapshot: Snapshot,
  ctx: Context,
  info: GraphQLResolveInfo,
) => unknown;

/** The type `StorySnapshot` (schema/as-of.ts): where snapshot rows come from. */
export const SNAPSHOT_TYPE = 'StorySnapshot';

/** The rows whose `column` is one of `allowed`, as the connections' enum filters keep them. */
const withStatus = (rows: SnapshotRow[], allowed: unknown, column = 'status') =>
  Array.isArray(allowed) ? rows.filter((row) => allowed.includes(row[column])) : rows;

/** What a row with partOf columns is part of (as `partOfNode` reads it), or null. */
function partOf(row: Row, snapshot: Snapshot): SnapshotRow | null {
  for (const [type, column] of Object.entries(PART_OF_COLUMNS)) {
    if (row[column] != null) return snapshot.entity(type, row[column]);
  }
  return null;
}

/** The leaders and organizations of participant rows, in their order. */
const participantEntities = (rows: SnapshotRow[], snapshot: Snapshot) =>
  rows.map((row) => {
    const ref = participantOf(row as never);
    return { ref: snapshot.entity(ref.type, ref.id), role: row.role };
  });

/** An entity's mentions: newest article first, as `<Type>.mentions` orders them. */
function entityMentions(type: (typeof MENTION_TYPES)[number]): SnapshotResolver {
  const spec = mentionsOf(type);
  return (row, args, snapshot) => {
    const publishedAt = (mention: Row) => snapshot.row('article', mention.articleId)?.publishedAt;
    const rows = snapshot.rowsWhere(spec.table as TableName, spec.key, row.id);
    return rowConnection(rows.sort(orderBy([publishedAt, 'desc'], [(m) => m.id, 'desc'])), args);
  };
}

/** Occurrences in `when` order, as `Summit.occurrences` and `Leader.occurrences` list them. */
const byWhen = orderBy([(row) => row.whenFrom, 'asc'], [(row) => row.id, 'asc']);

/** An analysis list of an article, as analysis.ts reads it. */
const analysis =
  (key: keyof StoredAnalysis): SnapshotResolver =>
  (row) =>
    readAnalysis(row.analysis as never)[key];

/** The claims of an occurrence, oldest first. */
const claimsOf = (row: Row, snapshot: Snapshot) =>
  snapshot.rowsWhere('claim', 'occurrenceId', row.id);

/**
 * Every field of a reachable type that needs its own snapshot resolver, by type and field. The
 * orders and filters are the plain reads' (their `query` options), applied to the snapshot's rows.
 */
const RESOLVERS: Record<string, Record<string, SnapshotResolver>> = {
  Leader: {
    memberships: (row, args, snapshot) =>
      rowConnection(
        snapshot
          .rowsWhere('membership', 'leaderId', row.id)
          .sort(orderBy([(m) => m.startedOn, 'asc', 'last'], [(m) => m.id, 'asc'])),
        args,
      ),
    participations: (row, args, snapshot) => {
      const startsOn = (p: Row) => snapshot.row('summit', p.summitId)?.startsOn;
      const rows = withStatus(snapshot.rowsWhere('participation', 'leaderId', row.id), args.status);
      return rowConnection(rows.sort(orderBy([startsOn, 'asc'], [(p) => p.id, 'asc'])), args);
    },
    occurrences: (row, _args, snapshot) => {
      const ids = new Set(
        snapshot
          .rowsWhere('occurrenceParticipant', PARTICIPANT_COLUMNS.Leader, row.id)
          .map((p) => p.occurrenceId),
      );
      return [...ids]
        .map((id) => snapshot.row('occurrence', id))
        .filter(Boolean)
        .sort(byWhen as never);
    },
  },
  Organization: {
    memberships: (row, args, snapshot) =>
      rowConnection(snapshot.rowsWhere('membership', 'organizationId', row.id), args),
    summits: (row, args, snapshot) =>
      rowConnection(
        withStatus(snapshot.rowsWhere('summit', 'organizerId', row.id), args.status).sort(
          orderBy([(s) => s.startsOn, 'asc'], [(s) => s.id, 'asc']),
        ),
        args,
      ),
  },
  Summit: {
    organizer: (row, _args, snapshot) => snapshot.row('organization', row.organizerId),
    participants: (row, args, snapshot) =>
      rowConnection(
        withStatus(snapshot.rowsWhere('participation', 'summitId', row.id), args.status),
        args,
      ),
    occurrences: (row, _args, snapshot) =>
      snapshot.rowsWhere('occurrence', PART_OF_COLUMNS.Summit, row.id).sort(byWhen),
  },
  Article: {
    claims: (row, _args, snapshot) =>
      snapshot
        .rowsWhere('claim', 'articleId', row.id)
        .sort(
          orderBy(
            [(c) => c.evidenceInHeadline, 'desc'],
            [(c) => c.evidenceStart, 'asc'],
            [(c) => c.id, 'asc'],
          ),
        ),
    mentions: (row, args, snapshot) =>
      mentionConnection(
        Object.fromEntries(
          MENTION_TYPES.map((type) => {
            const spec = mentionsOf(type);
            const model = ENTITIES[type].model;
            const rows = snapshot.rowsWhere(spec.table as TableName, 'articleId', row.id);
            return [
              spec.onArticle,
              rows.map((m) => ({ ...m, [model]: snapshot.entity(type, m[spec.key]) })),
            ];
          }),
        ) as unknown as Record<string, MentionRow[]>,
        args,
      ),
    timeExpressions: analysis('timeExpressions'),
    attributions: analysis('attributions'),
    quotes: analysis('quotes'),
    proposals: analysis('proposals'),
    revisions: (row, _args, _snapshot, ctx) => revisionsAsOf(ctx.db, row as never),
  },
  ArticleRevision: {
    sequence: (row, _args, _snapshot, ctx) => revisionSequenceOf(ctx.db, row as never),
  },
  Membership: {
    leader: (row, _args, snapshot) => snapshot.row('leader', row.leaderId),
    organization: (row, _args, snapshot) => snapshot.row('organization', row.organizationId),
  },
  Participation: {
    leader: (row, _args, snapshot) => snapshot.row('leader', row.leaderId),
    summit: (row, _args, snapshot) => snapshot.row('summit', row.summitId),
  },
  Occurrence: {
    partOf: (row, _args, snapshot) => partOf(row, snapshot),
    participants: (row, _args, snapshot) =>
      participantEntities(
        snapshot.rowsWhere('occurrenceParticipant', 'occurrenceId', row.id),
        snapshot,
      ).map(({ ref, role }) => ({ entity: ref, role })),
    claims: (row, args, snapshot) =>
      rowConnection(withStatus(claimsOf(row, snapshot), args.rank, 'rank'), args),
    sourceCount: (row, _args, snapshot) =>
      new Set(claimsOf(row, snapshot).map((claim) => claim.articleId)).size,
    conflicts: (row, _args, snapshot) =>
      conflictsOf(
        claimsOf(row, snapshot).map((claim) => ({
          ...(claim as never as Parameters<typeof conflictsOf>[0][number]),
          when: rangeOf(claim as never),
          row: claim,
        })),
      ).map((c) => ({ field: c.field, claims: c.claims.map((claim) => claim.row) })),
  },
  Claim: {
    article: (row, _args, snapshot) => snapshot.row('article', row.articleId),
    occurrence: (row, _args, snapshot) => snapshot.row('occurrence', row.occurrenceId),
    participants: (row, _args, snapshot) =>
      participantEntities(snapshot.rowsWhere('claimParticipant', 'claimId', row.id), snapshot).map(
        ({ ref }) => ref,
      ),
    partOf: (row, _args, snapshot) => partOf(row, snapshot),
  },
  StoryEvent: {
    // In a snapshot, the entity as it stood at the snapshot's position (null if it did not exist).
    node: (event, _args, snapshot) => snapshot.entity(String(event.entityType), event.entityId),
  },
};

for (const type of MENTION_TYPES) {
  const spec = mentionsOf(type);
  const model = ENTITIES[type].model;
  RESOLVERS[type] = { ...RESOLVERS[type], mentions: entityMentions(type) };
  // `Article.leaders` and the like: the article's mention rows, in id order.
  (RESOLVERS.Article as Record<string, SnapshotResolver>)[spec.field] = (row, args, snapshot) =>
    rowConnection(snapshot.rowsWhere(spec.table as TableName, 'articleId', row.id), args);
  RESOLVERS[`${type}Mention`] = {
    article: (row, _args, snapshot) => snapshot.row('article', row.articleId),
    [model]: (row, _args, snapshot) => snapshot.entity(type, row[spec.key]),
    spans: (row) => readSpans(row.spans),
  };
}

/** `history` of every followable type: the log up to the snapshot's position, read from it. */
const history: SnapshotResolver = async (row, args, snapshot, ctx, info) => {
  const type = info.parentType.name;
  const connection = await eventConnection(
    ctx.db,
    { entities: [{ type, id: row.id }] },
    args,
    snapshot.sequence,
  );
  for (const edge of connection.edges) {
    if (edge) edge.node = snapshot.event(edge.node as StoryEvent);
  }
  return connection;
};

/**
 * Types whose values resolvers build from what their parent holds (ranges, spans, quotes,
 * participants with their entity, conflicts with their claims): nothing in them reads the
 * database, and the snapshot resolvers above hand them snapshot rows where they hold rows.
 */
const VALUE_TYPES = new Set([
  'TimeRange',
  'TextSpan',
  'TimeExpression',
  'Attribution',
  'AttributionSource',
  'Quote',
  'EntityProposal',
  'TextQuote',
  'FieldChange',
  'ArticleMention',
  'OccurrenceParticipant',
  'ClaimConflict',
  'PageInfo',
]);

/** Fields of the types above that compute from their parent row alone. */
const ROW_FIELDS: Record<string, readonly string[]> = {
  Occurrence: ['when', 'previousWhen'],
  Claim: ['when', 'attributedTo', 'evidence'],
  StoryEvent: ['cursor', 'entity', 'entityType', 'entityId', 'changes', 'relatedIds'],
  // A snapshot's timeline entries carry their range and their subject (schema/snapshot-lists.ts).
  TimelineEntry: ['when', 'subject'],
};

type Extensions = {
  pothosExposedField?: string;
  pothosPrismaSelect?: unknown;
  pothosPrismaRelationField?: unknown;
  pothosPrismaTotalCount?: unknown;
  pothosOptions?: { authScopes?: unknown };
};

/** A connection or edge type the relay plugin generated: it reads the connection object. */
const isRelayType = (fields: Record<string, unknown>) =>
  ('edges' in fields && 'pageInfo' in fields) || ('cursor' in fields && 'node' in fields);

/** The object types a snapshot's answer can reach, `StorySnapshot` itself aside. */
export function snapshotTypes(schema: GraphQLSchema): string[] {
  const seen = new Set<string>([SNAPSHOT_TYPE]);
  const queue = [SNAPSHOT_TYPE];
  while (queue.length > 0) {
    const type = schema.getType(queue.pop() as string);
    if (!isObjectType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      const named = getNamedType(field.type);
      const reached = isAbstractType(named)
        ? schema.getPossibleTypes(named)
        : isObjectType(named)
          ? [named]
          : [];
      for (const next of reached) {
        if (!seen.has(next.name)) {
          seen.add(next.name);
          queue.push(next.name);
        }
      }
    }
  }
  seen.delete(SNAPSHOT_TYPE);
  return [...seen].sort();
}

/** The snapshot resolver of a field, `null` if it needs none, or a reason it has none. */
export function snapshotResolverOf(
  typeName: string,
  field: GraphQLField<unknown, unknown>,
  fields: Record<string, unknown>,
): SnapshotResolver | null | string {
  const extensions = field.extensions as Extensions;
  if (extensions.pothosOptions?.authScopes) return 'has auth scopes a snapshot would skip';
  const own = RESOLVERS[typeName]?.[field.name];
  if (own) return own;
  if (field.name === 'history' && NODE_TYPES.includes(typeName as NodeType)) return history;
  const exposed = extensions.pothosExposedField;
  const loads =
    extensions.pothosPrismaSelect ||
    extensions.pothosPrismaRelationField ||
    extensions.pothosPrismaTotalCount;
  // The Prisma plugin's wrapper would look for the rows it loaded, and query for them.
  if (loads && exposed !== undefined && !extensions.pothosPrismaTotalCount) {
    return (row) => row[exposed];
  }
  if (loads && !isRelayType(fields)) return 'loads through the Prisma plugin';
  if (!field.resolve || exposed !== undefined || field.name === 'id') return null;
  if (VALUE_TYPES.has(typeName) || isRelayType(fields)) return null;
  if (ROW_FIELDS[typeName]?.includes(field.name)) return null;
  return 'has a resolver nobody has said reads only its parent';
}

/**
 * Gives every field that needs one its snapshot path, and throws, naming them, if any field of a
 * snapshot-reachable type has none: run once on the built schema.
 */
export function resolveFromSnapshots(schema: GraphQLSchema): GraphQLSchema {
  const missing: string[] = [];
  for (const name of snapshotTypes(schema)) {
    const type = schema.getType(name);
    if (!isObjectType(type)) continue;
    const fields = type.getFields();
    for (const field of Object.values(fields)) {
      const resolver = snapshotResolverOf(name, field, fields);
      if (typeof resolver === 'string') missing.push(`${name}.${field.name} (${resolver})`);
      else if (resolver) field.resolve = withSnapshot(field.resolve, resolver);
    }
  }
  if (missing.length > 0) {
    throw new Error(`asOf: these fields can not answer from a snapshot: ${missing.join(', ')}`);
  }
  return schema;
}

/** The original resolver, unless the parent is a snapshot row: one property test on the way. */
function withSnapshot(
  original: GraphQLFieldResolver<unknown, Context> = defaultFieldResolver,
  resolver: SnapshotResolver,
): GraphQLFieldResolver<unknown, Context> {
  return (parent, args, ctx, info) => {
    const snapshot = snapshotOf(parent);
    return snapshot === undefined
      ? original(parent, args, ctx, info)
      : resolver(parent as SnapshotRow, args, snapshot, ctx, info);
  };
}

export { SNAPSHOT };
