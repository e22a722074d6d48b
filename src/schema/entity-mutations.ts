// The editing API of every model, declared from its field list. Which fields are required, which
// may be cleared, defaults, validation and event labels are the story layer's (src/story/registry.ts).
import type {
  Article as ArticleRow,
  Leader as LeaderRow,
  Membership as MembershipRow,
  Organization as OrganizationRow,
  Participation as ParticipationRow,
  Summit as SummitRow,
} from '../generated/prisma/client.ts';
import { Article } from './article.ts';
import { lineSchema, namesSchema, slugSchema, textSchema, urlSchema } from './inputs.ts';
import { Leader } from './leader.ts';
import { editableModel, stringField, stringsField, typedField } from './mutation-builder.ts';
import { Organization } from './organization.ts';
import {
  DatePrecisionEnum,
  OrganizationKindEnum,
  ParticipationStatusEnum,
  SummitStatusEnum,
} from './scalars.ts';
import { Summit } from './summit.ts';

const slug = (example: string) =>
  stringField(`A unique, readable key such as \`${example}\`.`, slugSchema);
const note = stringField('A short note.', textSchema(5000));

editableModel<LeaderRow>({
  type: 'Leader',
  noun: 'leader',
  ref: Leader,
  mutations: { create: 'createLeader', update: 'updateLeader', delete: 'deleteLeader' },
  deletes: 'with their memberships, participations and mentions',
  fields: {
    slug: slug('narendra-modi'),
    name: stringField('The full name.', lineSchema()),
    aliases: stringsField('Other names the press uses; replaces the whole list.', namesSchema),
    title: stringField('The current office or role.', lineSchema()),
    country: stringField('The country served.', lineSchema(100)),
    description: note,
  },
});

editableModel<OrganizationRow>({
  type: 'Organization',
  noun: 'organization',
  ref: Organization,
  mutations: {
    create: 'createOrganization',
    update: 'updateOrganization',
    delete: 'deleteOrganization',
  },
  deletes: 'with its memberships and mentions; its summits lose their organizer',
  fields: {
    slug: slug('shanghai-cooperation-organization'),
    name: stringField('The full name.', lineSchema()),
    acronym: stringField('The short form, such as `SCO`.', lineSchema(20)),
    kind: typedField('What kind of body it is.', OrganizationKindEnum),
    description: note,
    memberStates: stringsField('Member countries; replaces the whole list.', namesSchema),
  },
});

export const SummitPayload = editableModel<SummitRow>({
  type: 'Summit',
  noun: 'summit',
  ref: Summit,
  mutations: { create: 'createSummit', update: 'updateSummit', delete: 'deleteSummit' },
  deletes: 'with its participations and mentions',
  fields: {
    slug: slug('g20-bali-2022'),
    name: stringField('The name.', lineSchema()),
    organizer: typedField('The global ID of the organization that holds it.', 'ID'),
    city: stringField('The host city.', lineSchema(100)),
    country: stringField('The host country.', lineSchema(100)),
    startsOn: typedField('The first day.', 'Date'),
    startsOnPrecision: typedField(
      'How exactly the start is known; DAY by default.',
      DatePrecisionEnum,
    ),
    endsOn: typedField('The last day, if known; not before `startsOn`.', 'Date'),
    endsOnPrecision: typedField(
      'How exactly the end is known; DAY by default when `endsOn` is given.',
      DatePrecisionEnum,
    ),
    status: typedField('Where the summit stands.', SummitStatusEnum),
    description: note,
  },
});

export const ArticlePayload = editableModel<ArticleRow>({
  type: 'Article',
  noun: 'article',
  ref: Article,
  mutations: { create: 'createArticle', update: 'updateArticle', delete: 'deleteArticle' },
  deletes: 'with its mentions',
  fields: {
    slug: slug('xi-and-putin-to-meet-at-sco-summit'),
    headline: stringField('The headline.', lineSchema(300)),
    summary: stringField('A sentence or two on what it reports.', textSchema(2000)),
    body: stringField(
      'The text. A new headline or body on an update is a revision, as `reviseArticle` makes one: spans are re-anchored and the text analysed again.',
      textSchema(100_000),
    ),
    source: stringField('Who published it.', lineSchema()),
    url: stringField('Where to read it.', urlSchema),
    publishedAt: typedField('When it was first published.', 'DateTime'),
  },
});

export const ParticipationPayload = editableModel<ParticipationRow>({
  type: 'Participation',
  noun: 'participation',
  ref: 'Participation',
  mutations: { update: 'updateParticipation' },
  fields: {
    status: typedField('Where the attendance stands.', ParticipationStatusEnum),
    note: stringField('What is known about it.', textSchema(2000)),
  },
});

export const MembershipPayload = editableModel<MembershipRow>({
  type: 'Membership',
  noun: 'membership',
  ref: 'Membership',
  mutations: { update: 'updateMembership' },
  fields: {
    role: stringField('The seat, such as `Member`.', lineSchema()),
    startedOn: typedField('When it began, if known.', 'Date'),
    startedOnPrecision: typedField('How exactly `startedOn` is known.', DatePrecisionEnum),
    endedOn: typedField('When it ended, if it has; not before `startedOn`.', 'Date'),
    endedOnPrecision: typedField('How exactly `endedOn` is known.', DatePrecisionEnum),
  },
});
