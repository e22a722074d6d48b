import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StoryYoga } from '../../src/yoga.ts';
import { execute } from './graphql.ts';

/** `ingestArticle` with everything the analysis gives back. */
export const INGEST = `mutation Ingest($input: IngestArticleInput!) {
  ingestArticle(input: $input) {
    article {
      id slug body
      mentions(first: 100) {
        totalCount
        edges { node { matchedBy spans { start end text }
          entity { __typename ... on Leader { slug } ... on Organization { slug } ... on Summit { slug } } } }
      }
      timeExpressions { text start end from to precision }
      attributions { source { name kind } span { start end text } inHeadline }
      quotes { text start end }
    }
    created
    proposals { text kind spans { start end text } }
  }
}`;

/** Where the labelled articles live. */
export const FIXTURES_DIR = join(import.meta.dirname, '..', 'fixtures', 'ingest');

/** A label found in marked-up text: where it sits in the plain text, and what it says. */
interface Label {
  mark: '[[' | '{{' | '<<';
  start: number;
  end: number;
  value: string;
}

const CLOSE = { '[[': ']]', '{{': '}}', '<<': '>>' } as const;

/**
 * Strips the inline labels from `source` (see tests/fixtures/ingest/README.md), returning the plain
 * text and each label's position in it. Labels nest: `[[[[SCO|organization:x]] summit|summit:y]]`.
 */
export function parseMarked(source: string): { text: string; labels: Label[] } {
  let text = '';
  const labels: Label[] = [];
  const stack: { mark: Label['mark']; start: number; end?: number; value: string }[] = [];
  let i = 0;
  while (i < source.length) {
    const two = source.slice(i, i + 2);
    const top = stack.at(-1);
    if (top && top.end !== undefined) {
      // Inside the label part: read up to the closing mark.
      if (two === CLOSE[top.mark]) {
        stack.pop();
        labels.push({ mark: top.mark, start: top.start, end: top.end, value: top.value });
        i += 2;
      } else {
        top.value += source[i];
        i += 1;
      }
      continue;
    }
    if (two === '[[' || two === '{{' || two === '<<') {
      stack.push({ mark: two, start: text.length, value: '' });
      i += 2;
    } else if (top && source[i] === '|') {
      top.end = text.length;
      i += 1;
    } else {
      text += source[i];
      i += 1;
    }
  }
  if (stack.length) throw new Error(`Unclosed label in: ${source.slice(0, 80)}`);
  return { text, labels };
}

/** One labelled article, ready to ingest and score. */
export interface LabelledArticle {
  file: string;
  headline: string;
  body: string;
  publishedAt: string;
  mentions: { entity: string; start: number; end: number; text: string }[];
  times: {
    start: number;
    end: number;
    text: string;
    from: string;
    to: string;
    precision: string;
  }[];
  attributions: { start: number; end: number; text: string; kind: string; inHeadline: boolean }[];
  proposals: { kind: string; text: string }[];
  /** The `claim:` header lines (see the README's "Claims"). */
  claims: LabelledClaim[];
}

/** One labelled claim: `claim: MODALITY | participants | from..to PRECISION | source | evidence | KIND | key`. */
export interface LabelledClaim {
  modality: string;
  /** `leader:slug` / `organization:slug`, sorted. */
  participants: string[];
  /** Null for `-`: the claim gives no time. */
  when: { from: string; to: string; precision: string } | null;
  /** The attribution's text as written, or null for the article's own voice (`-`). */
  source: string | null;
  /** Where the evidence substring is, in the body or (`inHeadline`) the headline. */
  evidence: { start: number; end: number; text: string; inHeadline: boolean };
  kind: string;
  /** The same for claims (of one article) that describe the same occurrence. */
  occurrence: string;
}

/** Parses one `claim:` value against the article's plain headline and body. */
export function parseClaimLabel(value: string, headline: string, body: string): LabelledClaim {
  const parts = value.split('|').map((part) => part.trim());
  if (parts.length !== 7) throw new Error(`A claim label has seven fields: ${value}`);
  const [modality, people, when, source, evidence, kind, occurrence] = parts as string[] as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const time = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})\s+([A-Z_]+)$/.exec(when);
  if (when !== '-' && !time)
    throw new Error(`A claim's time is \`from..to PRECISION\` or -: ${value}`);
  const inBody = body.indexOf(evidence);
  const inHeadline = inBody === -1 ? headline.indexOf(evidence) : -1;
  if (!evidence || (inBody === -1 && inHeadline === -1))
    throw new Error(`A claim's evidence is not in the text: ${evidence}`);
  const start = inBody === -1 ? inHeadline : inBody;
  return {
    modality,
    participants: people
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)
      .sort(),
    when: time
      ? { from: time[1] as string, to: time[2] as string, precision: time[3] as string }
      : null,
    source: source === '-' ? null : source,
    evidence: { start, end: start + evidence.length, text: evidence, inHeadline: inBody === -1 },
    kind,
    occurrence,
  };
}

/**
 * Reads every labelled article in {@link FIXTURES_DIR}, in file-name order; `only` picks some by
 * name (the claim tests read only the tuned ones, never the held-out files).
 */
export function readLabelledArticles(
  only: (file: string) => boolean = () => true,
  dir = FIXTURES_DIR,
): LabelledArticle[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.txt') && only(file))
    .sort()
    .map((file) => {
      const source = readFileSync(join(dir, file), 'utf8');
      const [header = '', ...rest] = source.split(/^---$/m);
      const fields = header
        .split('\n')
        .filter((line) => line.includes(':'))
        .map((line) => [
          line.slice(0, line.indexOf(':')).trim(),
          line.slice(line.indexOf(':') + 1).trim(),
        ]);
      const field = (name: string) => fields.find(([key]) => key === name)?.[1] ?? '';
      const headline = parseMarked(field('headline'));
      const body = parseMarked(rest.join('---').trim());
      const article: LabelledArticle = {
        file,
        headline: headline.text,
        body: body.text,
        publishedAt: field('published'),
        mentions: [],
        times: [],
        attributions: [],
        proposals: fields
          .filter(([key]) => key === 'proposal')
          .map(([, value]) => {
            const [kind = '', text = ''] = (value ?? '').split('|').map((part) => part.trim());
            return { kind, text };
          }),
        claims: [],
      };
      article.claims = fields
        .filter(([key]) => key === 'claim')
        .map(([, value]) => parseClaimLabel(value ?? '', headline.text, body.text));
      for (const [labels, inHeadline, text] of [
        [headline.labels, true, headline.text],
        [body.labels, false, body.text],
      ] as const) {
        for (const label of labels) {
          const span = {
            start: label.start,
            end: label.end,
            text: text.slice(label.start, label.end),
          };
          if (label.mark === '<<') {
            article.attributions.push({ ...span, kind: label.value, inHeadline });
          } else if (inHeadline) {
          } else if (label.mark === '[[') {
            article.mentions.push({ ...span, entity: label.value });
          } else {
            const [from = '', to = '', precision = ''] = label.value.split('|');
            article.times.push({ ...span, from, to, precision });
          }
        }
      }
      return article;
    });
}

interface KnownEntitiesFile {
  leaders: { slug: string; name: string; aliases: string[]; title: string; country: string }[];
  organizations: { slug: string; name: string; acronym: string | null; kind: string }[];
  summits: {
    slug: string;
    name: string;
    organizer: string;
    city: string;
    country: string;
    startsOn: string;
    status: string;
  }[];
}

/**
 * Creates, through the API, the entities the labelled set needs that the seed does not have.
 * Returns the global ID of every entity by `type:slug`.
 */
export async function createFixtureEntities(
  yoga: StoryYoga,
  token: string,
): Promise<Map<string, string>> {
  const file = JSON.parse(
    readFileSync(join(FIXTURES_DIR, 'entities.json'), 'utf8'),
  ) as KnownEntitiesFile;
  const ids = new Map<string, string>();
  const run = async (query: string, variables: Record<string, unknown>) => {
    const result = await execute(yoga, query, variables, token);
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data;
  };
  const existing = async (type: 'leader' | 'organization' | 'summit', slug: string) => {
    const data = await run(`query ($slug: String!) { found: ${type}(slug: $slug) { id } }`, {
      slug,
    });
    return data.found?.id as string | undefined;
  };
  for (const leader of file.leaders) {
    const id =
      (await existing('leader', leader.slug)) ??
      (
        await run(
          'mutation ($input: CreateLeaderInput!) { createLeader(input: $input) { leader { id } } }',
          { input: leader },
        )
      ).createLeader.leader.id;
    ids.set(`leader:${leader.slug}`, id);
  }
  for (const organization of file.organizations) {
    const id =
      (await existing('organization', organization.slug)) ??
      (
        await run(
          'mutation ($input: CreateOrganizationInput!) { createOrganization(input: $input) { organization { id } } }',
          { input: organization },
        )
      ).createOrganization.organization.id;
    ids.set(`organization:${organization.slug}`, id);
  }
  for (const summit of file.summits) {
    const organizer = await existing('organization', summit.organizer);
    const id =
      (await existing('summit', summit.slug)) ??
      (
        await run(
          'mutation ($input: CreateSummitInput!) { createSummit(input: $input) { summit { id } } }',
          { input: { ...summit, organizer } },
        )
      ).createSummit.summit.id;
    ids.set(`summit:${summit.slug}`, id);
  }
  return ids;
}
