import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { DateResolver, DateTimeResolver, JSONResolver } from 'graphql-scalars';
import {
  AnchorStatus,
  DatePrecision,
  OrganizationKind,
  ParticipationStatus,
  SummitStatus,
} from '../generated/prisma/enums.ts';
import type { StoredSpan } from '../story/anchors.ts';
import { readStoredSpans } from '../story/revise-plan.ts';
import { builder } from './builder.ts';

/** Years 1 to 9999: ISO 8601's four digits, without year 0 (which PostgreSQL can not store). */
function inYearRange(date: Date): boolean {
  const year = date.getUTCFullYear();
  return year >= 1 && year <= 9999;
}

/**
 * One of graphql-scalars' date scalars with our one addition: a year PostgreSQL can store. Any
 * refusal is a BAD_USER_INPUT that says what was expected.
 */
function dateScalar(
  resolver: GraphQLScalarType<Date, unknown>,
  name: 'Date' | 'DateTime',
  description: string,
  expected: string,
) {
  const parse = (value: unknown): Date => {
    let date: Date | undefined;
    try {
      date = resolver.parseValue(value) as Date;
    } catch {
      date = undefined;
    }
    if (!(date instanceof Date) || Number.isNaN(date.getTime()) || !inYearRange(date)) {
      throw new GraphQLError(`"${String(value)}" is not ${expected} (years 0001 to 9999).`, {
        extensions: { code: 'BAD_USER_INPUT' },
      });
    }
    return date;
  };
  builder.addScalarType(
    name,
    new GraphQLScalarType<Date, unknown>({
      ...resolver.toConfig(),
      name,
      description,
      parseValue: parse,
      parseLiteral: (ast) => parse(ast.kind === Kind.STRING ? ast.value : undefined),
    }),
  );
}

dateScalar(
  DateResolver as GraphQLScalarType<Date, unknown>,
  'Date',
  'A calendar day as YYYY-MM-DD (ISO 8601), without a time or a time zone.',
  'a date of the form YYYY-MM-DD',
);
dateScalar(
  DateTimeResolver as GraphQLScalarType<Date, unknown>,
  'DateTime',
  'An instant as an ISO 8601 string in UTC, such as 2022-09-07T08:00:00.000Z.',
  'an ISO 8601 date-time with a time zone',
);
builder.addScalarType('JSON', JSONResolver, {
  description: 'Any JSON value: a string, number, boolean, null, list or object.',
  // graphql-scalars points JSON at ECMA-404 with @specifiedBy. Clients introspect without
  // `specifiedByURL` by default, so with it the committed schema.graphql would differ from the
  // schema every client tool sees; the description says what JSON means.
  specifiedByURL: null,
});

export const DatePrecisionEnum = builder.enumType('DatePrecision', {
  values: {
    DAY: { value: DatePrecision.DAY, description: 'Known to the day.' },
    MONTH: { value: DatePrecision.MONTH, description: 'Known to the month; the date is the 1st.' },
    YEAR: { value: DatePrecision.YEAR, description: 'Known to the year; the date is 1 January.' },
  } as const,
  description:
    'How exactly a date is known. A date known only to the month is given as the first day of that month, and likewise for a year.',
});

export const OrganizationKindEnum = builder.enumType('OrganizationKind', {
  description: 'What kind of body an organization is.',
  values: {
    INTERGOVERNMENTAL: {
      value: OrganizationKind.INTERGOVERNMENTAL,
      description: 'A body whose members are states, such as the SCO.',
    },
    PARTY_BODY: {
      value: OrganizationKind.PARTY_BODY,
      description: 'A political party or one of its organs.',
    },
    ALLIANCE: {
      value: OrganizationKind.ALLIANCE,
      description: 'A military or political alliance, such as NATO.',
    },
    FORUM: {
      value: OrganizationKind.FORUM,
      description: 'A recurring meeting place rather than a member body.',
    },
    INITIATIVE: {
      value: OrganizationKind.INITIATIVE,
      description: 'A programme or policy, such as the Belt and Road Initiative.',
    },
    GOVERNMENT: {
      value: OrganizationKind.GOVERNMENT,
      description: 'A national government or one of its branches.',
    },
    OTHER: { value: OrganizationKind.OTHER, description: 'Anything else.' },
  } as const,
});

export const SummitStatusEnum = builder.enumType('SummitStatus', {
  description: 'Where a summit stands, from announcement to its end.',
  values: {
    ANNOUNCED: {
      value: SummitStatus.ANNOUNCED,
      description: 'Dates and place have been announced.',
    },
    EXPECTED: {
      value: SummitStatus.EXPECTED,
      description: 'Reported as likely, not yet formally set.',
    },
    CONFIRMED: { value: SummitStatus.CONFIRMED, description: 'Formally confirmed by its hosts.' },
    IN_PROGRESS: { value: SummitStatus.IN_PROGRESS, description: 'Under way.' },
    CONCLUDED: { value: SummitStatus.CONCLUDED, description: 'Over.' },
    POSTPONED: {
      value: SummitStatus.POSTPONED,
      description: 'Moved to a later, perhaps unknown, date.',
    },
    CANCELLED: { value: SummitStatus.CANCELLED, description: 'Will not take place.' },
  } as const,
});

export const ParticipationStatusEnum = builder.enumType('ParticipationStatus', {
  description: "Where a leader's attendance at a summit stands.",
  values: {
    EXPECTED: {
      value: ParticipationStatus.EXPECTED,
      description: 'Reported as planning to attend.',
    },
    CONFIRMED: {
      value: ParticipationStatus.CONFIRMED,
      description: "Attendance confirmed by the leader's side or the hosts.",
    },
    ATTENDED: { value: ParticipationStatus.ATTENDED, description: 'Was there.' },
    WITHDRAWN: { value: ParticipationStatus.WITHDRAWN, description: 'Will not attend after all.' },
  } as const,
});

export const OrderDirectionEnum = builder.enumType('OrderDirection', {
  description: 'The direction of an ordering.',
  values: {
    ASC: { description: 'Smallest, earliest or alphabetically first value first.' },
    DESC: { description: 'Largest, latest or alphabetically last value first.' },
  } as const,
});

/** Prisma's spelling of an {@link OrderDirectionEnum} value. */
export function prismaDirection(direction: 'ASC' | 'DESC' | null | undefined): 'asc' | 'desc' {
  return direction === 'DESC' ? 'desc' : 'asc';
}

export const AnchorStatusEnum = builder.enumType('AnchorStatus', {
  description:
    "How a span fared when its article's text was last revised. Spans of a text never revised, and spans new in the latest text, are EXACT.",
  values: {
    EXACT: {
      value: AnchorStatus.EXACT,
      description: 'The same words at the same place, their context still there.',
    },
    MOVED: {
      value: AnchorStatus.MOVED,
      description: 'The same words, found elsewhere in the new text (or among new context).',
    },
    FUZZY: {
      value: AnchorStatus.FUZZY,
      description:
        'Words within a tenth of edits of the old ones (a typo fixed, a name respelled), near where they stood; `text` holds the new words.',
    },
    STALE: {
      value: AnchorStatus.STALE,
      description:
        'Not found in the new text: the span keeps its old offsets and words, which no longer index the current text.',
    },
  } as const,
});

export const TextSpanRef = builder.objectRef<StoredSpan>('TextSpan').implement({
  description: "A stretch of an article's body that names an entity.",
  fields: (t) => ({
    start: t.exposeInt('start', { description: 'Offset of the first character, counting from 0.' }),
    end: t.exposeInt('end', { description: 'Offset just past the last character.' }),
    text: t.exposeString('text', { description: 'The text found there, as written.' }),
    anchor: t.field({
      type: AnchorStatusEnum,
      description:
        "How the span fared at the article's last revision: STALE spans no longer index the text.",
      // Spans stored before revisions existed carry no anchor: nothing has moved them.
      resolve: (span) => span.anchor ?? 'EXACT',
    }),
  }),
});

/** Reads the spans stored as JSON on a mention row, ignoring anything malformed. */
export const readSpans = readStoredSpans;

/**
 * Declares `<Type>OrderField` and `<Type>Order { field, direction }` for a list. Ties are always
 * broken by creation order, so pages stay stable whatever the ordering.
 */
export function orderInput<Field extends string>(
  typename: string,
  plural: string,
  fields: Record<Field, string>,
  defaultDirection: 'ASC' | 'DESC' = 'ASC',
) {
  const FieldEnum = builder.enumType(`${typename}OrderField`, {
    description: `What to order ${plural} by.`,
    values: Object.fromEntries(
      Object.entries(fields).map(([name, description]) => [
        name,
        { description: description as string },
      ]),
    ) as Record<Field, { description: string }>,
  });
  return builder.inputType(`${typename}Order`, {
    description: `An ordering of ${plural}. Ties are broken by creation order, so pages are stable.`,
    fields: (t) => ({
      field: t.field({ type: FieldEnum, required: true, description: 'What to order by.' }),
      direction: t.field({
        type: OrderDirectionEnum,
        defaultValue: defaultDirection,
        description: `Which way; ${defaultDirection === 'ASC' ? 'ascending' : 'descending'} by default.`,
      }),
    }),
  });
}
