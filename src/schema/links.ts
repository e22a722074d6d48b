import { z } from 'zod';
import { builder } from '../builder.ts';
import { ErrorCode, userError } from '../errors.ts';
import type { Membership, Participation, Prisma } from '../generated/prisma/client.ts';
import { encodeGlobalId, idOf } from '../global-id.ts';
import { checkVersion, notFound, writeChange } from '../story/changes.ts';
import { given, recordLinked, removeLink, updateEntity } from '../story/editing.ts';
import { relatedIds } from '../story/related.ts';
import { mentionSpans } from '../story/spans.ts';
import { ArticlePayload } from './article-mutations.ts';
import { checkDateOrder, lineSchema, textSchema } from './inputs.ts';
import { DatePrecisionEnum, ParticipationStatusEnum } from './scalars.ts';
import { SummitPayload } from './summit-mutations.ts';

const PARTICIPATION_LABELS: Record<string, string> = {
  EXPECTED: 'PARTICIPATION_EXPECTED',
  CONFIRMED: 'PARTICIPATION_CONFIRMED',
  ATTENDED: 'LEADER_ATTENDED',
  WITHDRAWN: 'PARTICIPATION_WITHDRAWN',
};

const TextSpanInput = builder.inputType('TextSpanInput', {
  description: "Where an article's body names an entity.",
  fields: (t) => ({
    start: t.int({
      required: true,
      description: 'Offset of the first character.',
      validate: z.number().int().min(0),
    }),
    end: t.int({
      required: true,
      description: 'Offset just past the last character.',
      validate: z.number().int().min(1),
    }),
  }),
});

// --- Article mentions: one shape for leaders, organizations and summits. ---

const MENTIONS = {
  Leader: { key: 'leaderId', table: 'leaderMention', verb: 'Leader' },
  Organization: { key: 'organizationId', table: 'organizationMention', verb: 'Organization' },
  Summit: { key: 'summitId', table: 'summitMention', verb: 'Summit' },
} as const;

type MentionTable = {
  findUnique(args: object): Promise<{ id: number } | null>;
  create(args: object): Promise<unknown>;
  delete(args: object): Promise<unknown>;
};

for (const [type, spec] of Object.entries(MENTIONS) as [
  keyof typeof MENTIONS,
  (typeof MENTIONS)[keyof typeof MENTIONS],
][]) {
  const noun = type.toLowerCase();
  const LinkInput = builder.inputType(`Link${spec.verb}ToArticleInput`, {
    description: `Records that an article mentions a ${noun}.`,
    fields: (t) => ({
      articleId: t.id({ required: true, description: "The article's ID." }),
      [`${noun}Id`]: t.id({ required: true, description: `The ${noun}'s ID.` }),
      spans: t.field({
        type: [TextSpanInput],
        description: `Where the body names the ${noun}; the text is taken from the body.`,
      }),
    }),
  });
  const UnlinkInput = builder.inputType(`Unlink${spec.verb}FromArticleInput`, {
    description: `Removes the record that an article mentions a ${noun}.`,
    fields: (t) => ({
      articleId: t.id({ required: true, description: "The article's ID." }),
      [`${noun}Id`]: t.id({ required: true, description: `The ${noun}'s ID.` }),
    }),
  });

  const change =
    (linking: boolean) =>
    async (
      _root: unknown,
      { input }: { input: Record<string, unknown> },
      ctx: { viewer: import('../auth.ts').Viewer },
    ) => {
      const articleId = idOf('Article', String(input.articleId));
      const otherGlobal = String(input[`${noun}Id`]);
      const otherId = idOf(type, otherGlobal);
      const { result } = await writeChange(ctx.viewer, async (tx, record) => {
        const table = tx[spec.table] as unknown as MentionTable;
        const article = await tx.article.findUnique({ where: { id: articleId } });
        if (!article) notFound('Article', String(input.articleId));
        const where = { [`articleId_${spec.key}`]: { articleId, [spec.key]: otherId } };
        const existing = await table.findUnique({ where });
        if (linking && existing) return article; // already linked: nothing to do, nothing to log
        if (!linking && !existing) {
          throw userError(ErrorCode.NOT_FOUND, `The article does not mention that ${noun}.`);
        }
        if (linking) {
          const spans = mentionSpans(article.body, input.spans as { start: number; end: number }[]);
          await table.create({ data: { articleId, [spec.key]: otherId, spans } });
        } else {
          await table.delete({ where });
        }
        const updated = await tx.article.update({
          where: { id: articleId },
          data: { version: { increment: 1 } },
        });
        await record({
          kind: linking ? 'LINKED' : 'UNLINKED',
          label: linking ? `${type.toUpperCase()}_MENTIONED` : null,
          entityType: 'Article',
          entityId: articleId,
          entityVersion: updated.version,
          changes: [
            {
              field: `${noun}s`,
              before: linking ? null : otherGlobal,
              after: linking ? otherGlobal : null,
            },
          ],
          // The unlinked entity is no longer among the article's links: name it explicitly.
          relatedIds: [...(await relatedIds.Article(tx, articleId)), otherGlobal],
        });
        return updated;
      });
      return { article: result };
    };

  builder.mutationField(`link${spec.verb}ToArticle`, (t) =>
    t.field({
      type: ArticlePayload,
      description: `Records that an article mentions a ${noun} (does nothing if it already does). Needs an editor token.`,
      authScopes: { editor: true },
      args: { input: t.arg({ type: LinkInput, required: true, description: 'The link.' }) },
      resolve: change(true) as never,
    }),
  );
  builder.mutationField(`unlink${spec.verb}FromArticle`, (t) =>
    t.field({
      type: ArticlePayload,
      description: `Removes the record that an article mentions a ${noun}. Needs an editor token.`,
      authScopes: { editor: true },
      args: {
        input: t.arg({ type: UnlinkInput, required: true, description: 'The link to remove.' }),
      },
      resolve: change(false) as never,
    }),
  );
}

// --- Participation: leader ↔ summit, with a status. ---

const ParticipationPayload = builder
  .objectRef<{ participation: Participation }>('ParticipationPayload')
  .implement({
    description: 'The participation after the change.',
    fields: (t) => ({
      participation: t.field({
        type: 'Participation' as never,
        description: 'The participation as committed.',
        resolve: (payload) => payload.participation as never,
      }),
    }),
  });

const LinkLeaderToSummitInput = builder.inputType('LinkLeaderToSummitInput', {
  description:
    "Records a leader's attendance at a summit, or changes its status if already recorded.",
  fields: (t) => ({
    leaderId: t.id({ required: true, description: "The leader's ID." }),
    summitId: t.id({ required: true, description: "The summit's ID." }),
    status: t.field({
      type: ParticipationStatusEnum,
      required: true,
      description: 'Where the attendance stands.',
    }),
    note: t.string({ description: 'What is known about it.', validate: textSchema(2000) }),
  }),
});

const UnlinkLeaderFromSummitInput = builder.inputType('UnlinkLeaderFromSummitInput', {
  description: "Removes a leader's participation in a summit.",
  fields: (t) => ({
    leaderId: t.id({ required: true, description: "The leader's ID." }),
    summitId: t.id({ required: true, description: "The summit's ID." }),
  }),
});

const ParticipationPatch = builder.inputType('ParticipationPatch', {
  description: 'Fields to change on a participation.',
  fields: (t) => ({
    status: t.field({ type: ParticipationStatusEnum, description: 'Where the attendance stands.' }),
    note: t.string({ description: 'What is known about it.', validate: textSchema(2000) }),
  }),
});

const UpdateParticipationInput = builder.inputType('UpdateParticipationInput', {
  description: 'A change to a participation, applied only if `expectedVersion` is still current.',
  fields: (t) => ({
    id: t.id({ required: true, description: "The participation's ID." }),
    expectedVersion: t.int({ required: true, description: 'The version the change was based on.' }),
    patch: t.field({ type: ParticipationPatch, required: true, description: 'What to change.' }),
  }),
});

const participationLabel = (changes: { field: string; after: unknown }[]) => {
  const status = changes.find((c) => c.field === 'status');
  return status ? (PARTICIPATION_LABELS[String(status.after)] ?? null) : null;
};

builder.mutationFields((t) => ({
  linkLeaderToSummit: t.field({
    type: ParticipationPayload,
    description:
      'Records that a leader takes part in a summit with a status; if it is already recorded, sets the new status (logged as PARTICIPATION_CONFIRMED and the like). Needs an editor token.',
    authScopes: { editor: true },
    args: {
      input: t.arg({
        type: LinkLeaderToSummitInput,
        required: true,
        description: 'The participation.',
      }),
    },
    resolve: async (_root, { input }, ctx) => {
      const key = {
        leaderId: idOf('Leader', String(input.leaderId)),
        summitId: idOf('Summit', String(input.summitId)),
      };
      const { result } = await writeChange(ctx.viewer, async (tx, record) => {
        const existing = await tx.participation.findUnique({ where: { leaderId_summitId: key } });
        if (existing) {
          const note = input.note ?? existing.note;
          if (existing.status === input.status && existing.note === note) return existing;
          const row = await tx.participation.update({
            where: { id: existing.id },
            data: { status: input.status, note, version: { increment: 1 } },
          });
          const changes = [
            ...(existing.status !== row.status
              ? [{ field: 'status', before: existing.status, after: row.status }]
              : []),
            ...(existing.note !== row.note
              ? [{ field: 'note', before: existing.note, after: row.note }]
              : []),
          ];
          await record({
            kind: 'UPDATED',
            label: participationLabel(changes),
            entityType: 'Participation',
            entityId: row.id,
            entityVersion: row.version,
            changes,
            relatedIds: await relatedIds.Participation(tx, row.id),
          });
          return row;
        }
        const row = await tx.participation.create({
          data: { ...key, status: input.status, note: input.note ?? '' },
        });
        await recordLinked(
          tx,
          record,
          'Participation',
          row,
          'status',
          PARTICIPATION_LABELS[row.status] ?? null,
        );
        return row;
      });
      return { participation: result };
    },
  }),
  updateParticipation: t.field({
    type: ParticipationPayload,
    description:
      'Changes the status or note of a participation. CONFLICT if someone changed it since `expectedVersion`. Needs an editor token.',
    authScopes: { editor: true },
    args: {
      input: t.arg({ type: UpdateParticipationInput, required: true, description: 'The change.' }),
    },
    resolve: async (_root, { input }, ctx) => ({
      participation: await updateEntity<Participation>(ctx.viewer, {
        type: 'Participation',
        id: String(input.id),
        expectedVersion: input.expectedVersion,
        patch: given(input.patch),
        label: participationLabel,
      }),
    }),
  }),
  unlinkLeaderFromSummit: t.field({
    type: SummitPayload,
    description: "Removes a leader's participation in a summit. Needs an editor token.",
    authScopes: { editor: true },
    args: {
      input: t.arg({
        type: UnlinkLeaderFromSummitInput,
        required: true,
        description: 'The participation to remove.',
      }),
    },
    resolve: async (_root, { input }, ctx) => {
      const key = {
        leaderId: idOf('Leader', String(input.leaderId)),
        summitId: idOf('Summit', String(input.summitId)),
      };
      const { result } = await writeChange(ctx.viewer, async (tx, record) => {
        const existing = await tx.participation.findUnique({ where: { leaderId_summitId: key } });
        if (!existing)
          throw userError(ErrorCode.NOT_FOUND, 'That leader has no participation in that summit.');
        await removeLink(tx, record, 'Participation', existing, 'status');
        return tx.summit.findUniqueOrThrow({ where: { id: key.summitId } });
      });
      return { summit: result };
    },
  }),
}));

// --- Membership: leader ↔ organization, with a role and time span. ---

const MembershipPayload = builder
  .objectRef<{ membership: Membership }>('MembershipPayload')
  .implement({
    description: 'The membership after the change.',
    fields: (t) => ({
      membership: t.field({
        type: 'Membership' as never,
        description: 'The membership as committed.',
        resolve: (payload) => payload.membership as never,
      }),
    }),
  });

const LinkLeaderToOrganizationInput = builder.inputType('LinkLeaderToOrganizationInput', {
  description: 'Gives a leader a seat in an organization.',
  fields: (t) => ({
    leaderId: t.id({ required: true, description: "The leader's ID." }),
    organizationId: t.id({ required: true, description: "The organization's ID." }),
    role: t.string({
      required: true,
      description: 'The seat, such as `Member`.',
      validate: lineSchema(),
    }),
    startedOn: t.field({ type: 'Date', description: 'When it began, if known.' }),
    startedOnPrecision: t.field({
      type: DatePrecisionEnum,
      description: 'How exactly `startedOn` is known.',
    }),
    endedOn: t.field({ type: 'Date', description: 'When it ended, if it has.' }),
    endedOnPrecision: t.field({
      type: DatePrecisionEnum,
      description: 'How exactly `endedOn` is known.',
    }),
  }),
});

const MembershipPatch = builder.inputType('MembershipPatch', {
  description: 'Fields to change on a membership.',
  fields: (t) => ({
    role: t.string({ description: 'The seat.', validate: lineSchema() }),
    startedOn: t.field({ type: 'Date', description: 'When it began; null clears it.' }),
    startedOnPrecision: t.field({
      type: DatePrecisionEnum,
      description: 'How exactly `startedOn` is known.',
    }),
    endedOn: t.field({ type: 'Date', description: 'When it ended; null clears it.' }),
    endedOnPrecision: t.field({
      type: DatePrecisionEnum,
      description: 'How exactly `endedOn` is known.',
    }),
  }),
});

const UpdateMembershipInput = builder.inputType('UpdateMembershipInput', {
  description: 'A change to a membership, applied only if `expectedVersion` is still current.',
  fields: (t) => ({
    id: t.id({ required: true, description: "The membership's ID." }),
    expectedVersion: t.int({ required: true, description: 'The version the change was based on.' }),
    patch: t.field({ type: MembershipPatch, required: true, description: 'What to change.' }),
  }),
});

const UnlinkLeaderFromOrganizationInput = builder.inputType('UnlinkLeaderFromOrganizationInput', {
  description: 'Removes a membership.',
  fields: (t) => ({
    membershipId: t.id({ required: true, description: "The membership's ID." }),
  }),
});

const checkSpan = (membership: Record<string, unknown>) =>
  checkDateOrder(
    membership.startedOn,
    membership.endedOn,
    '"endedOn" must not be before "startedOn".',
  );

builder.mutationFields((t) => ({
  linkLeaderToOrganization: t.field({
    type: MembershipPayload,
    description:
      'Gives a leader a seat in an organization. CONFLICT if they already hold that role there. Needs an editor token.',
    authScopes: { editor: true },
    args: {
      input: t.arg({
        type: LinkLeaderToOrganizationInput,
        required: true,
        description: 'The membership.',
      }),
    },
    resolve: async (_root, { input }, ctx) => {
      const data: Prisma.MembershipUncheckedCreateInput = {
        leaderId: idOf('Leader', String(input.leaderId)),
        organizationId: idOf('Organization', String(input.organizationId)),
        role: input.role,
        startedOn: input.startedOn ?? null,
        startedOnPrecision: input.startedOnPrecision ?? (input.startedOn ? 'DAY' : null),
        endedOn: input.endedOn ?? null,
        endedOnPrecision: input.endedOnPrecision ?? (input.endedOn ? 'DAY' : null),
      };
      checkSpan(data as Record<string, unknown>);
      const { result } = await writeChange(ctx.viewer, async (tx, record) => {
        const row = await tx.membership.create({ data });
        await recordLinked(tx, record, 'Membership', row, 'role', 'MEMBERSHIP_ADDED');
        return row;
      });
      return { membership: result };
    },
  }),
  updateMembership: t.field({
    type: MembershipPayload,
    description:
      'Changes a membership. CONFLICT if someone changed it since `expectedVersion`. Needs an editor token.',
    authScopes: { editor: true },
    args: {
      input: t.arg({ type: UpdateMembershipInput, required: true, description: 'The change.' }),
    },
    resolve: async (_root, { input }, ctx) => ({
      membership: await updateEntity<Membership>(ctx.viewer, {
        type: 'Membership',
        id: String(input.id),
        expectedVersion: input.expectedVersion,
        patch: given(input.patch),
        nullable: ['startedOn', 'startedOnPrecision', 'endedOn', 'endedOnPrecision'],
        validate: checkSpan,
        label: (changes) =>
          changes.some((c) => c.field === 'endedOn' && c.after) ? 'MEMBERSHIP_ENDED' : null,
      }),
    }),
  }),
  unlinkLeaderFromOrganization: t.field({
    type: MembershipPayload,
    description: 'Removes a membership; returns it as it was. Needs an editor token.',
    authScopes: { editor: true },
    args: {
      input: t.arg({
        type: UnlinkLeaderFromOrganizationInput,
        required: true,
        description: 'The membership to remove.',
      }),
    },
    resolve: async (_root, { input }, ctx) => {
      const id = idOf('Membership', String(input.membershipId));
      const { result } = await writeChange(ctx.viewer, async (tx, record) => {
        const existing = await tx.membership.findUnique({ where: { id } });
        if (!existing) notFound('Membership', String(input.membershipId));
        await removeLink(tx, record, 'Membership', existing, 'role');
        return existing;
      });
      return { membership: result };
    },
  }),
}));

// --- Summit ↔ organization: the organizer. ---

const LinkSummitToOrganizationInput = builder.inputType('LinkSummitToOrganizationInput', {
  description: 'Makes an organization the organizer of a summit.',
  fields: (t) => ({
    summitId: t.id({ required: true, description: "The summit's ID." }),
    organizationId: t.id({ required: true, description: "The organization's ID." }),
    expectedVersion: t.int({
      description: 'When given, only if the summit is still at this version.',
    }),
  }),
});

const UnlinkSummitFromOrganizationInput = builder.inputType('UnlinkSummitFromOrganizationInput', {
  description: 'Clears the organizer of a summit.',
  fields: (t) => ({
    summitId: t.id({ required: true, description: "The summit's ID." }),
    expectedVersion: t.int({
      description: 'When given, only if the summit is still at this version.',
    }),
  }),
});

async function setOrganizer(
  viewer: import('../auth.ts').Viewer,
  summitGlobal: string,
  organizationGlobal: string | null,
  expectedVersion: number | null | undefined,
) {
  const summitId = idOf('Summit', summitGlobal);
  const organizerId = organizationGlobal ? idOf('Organization', organizationGlobal) : null;
  const { result } = await writeChange(viewer, async (tx, record) => {
    const summit = await tx.summit.findUnique({ where: { id: summitId } });
    if (!summit) notFound('Summit', summitGlobal);
    if (expectedVersion != null) checkVersion('Summit', summit, expectedVersion);
    if (summit.organizerId === organizerId) return summit;
    const previous = summit.organizerId ? encodeGlobalId('Organization', summit.organizerId) : null;
    const row = await tx.summit.update({
      where: { id: summitId },
      data: { organizerId, version: { increment: 1 } },
    });
    await record({
      kind: organizerId ? 'LINKED' : 'UNLINKED',
      entityType: 'Summit',
      entityId: summitId,
      entityVersion: row.version,
      changes: [{ field: 'organizer', before: previous, after: organizationGlobal }],
      relatedIds: [...(await relatedIds.Summit(tx, summitId)), ...(previous ? [previous] : [])],
    });
    return row;
  });
  return { summit: result };
}

builder.mutationFields((t) => ({
  linkSummitToOrganization: t.field({
    type: SummitPayload,
    description: 'Makes an organization the organizer of a summit. Needs an editor token.',
    authScopes: { editor: true },
    args: {
      input: t.arg({
        type: LinkSummitToOrganizationInput,
        required: true,
        description: 'The link.',
      }),
    },
    resolve: (_root, { input }, ctx) =>
      setOrganizer(
        ctx.viewer,
        String(input.summitId),
        String(input.organizationId),
        input.expectedVersion,
      ),
  }),
  unlinkSummitFromOrganization: t.field({
    type: SummitPayload,
    description: 'Clears the organizer of a summit. Needs an editor token.',
    authScopes: { editor: true },
    args: {
      input: t.arg({
        type: UnlinkSummitFromOrganizationInput,
        required: true,
        description: 'The link to remove.',
      }),
    },
    resolve: (_root, { input }, ctx) =>
      setOrganizer(ctx.viewer, String(input.summitId), null, input.expectedVersion),
  }),
}));
