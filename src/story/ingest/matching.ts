import type {
  EntityType,
  FoundMention,
  KnownEntities,
  KnownLeader,
  KnownOrganization,
  KnownSummit,
  MatchedBy,
} from './known.ts';
import { fold, isWordChar, spanOf, TITLE_WORDS, wholeWordOffsets } from './text.ts';

interface Pattern {
  type: EntityType;
  id: number;
  /** What to look for: folded, or as written when `caseSensitive`. */
  needle: string;
  matchedBy: MatchedBy;
  /** A single word that also names others (a surname): needs the full name first, or a title. */
  bare: boolean;
  caseSensitive: boolean;
}

interface Hit {
  type: EntityType;
  id: number;
  start: number;
  end: number;
  matchedBy: MatchedBy;
}

const RANK: Record<MatchedBy, number> = { NAME: 0, ALIAS: 1, ACRONYM: 2, EDITOR: 3 };
const isAcronym = (word: string) => /^[\p{Lu}\p{N}&-]{2,}$/u.test(word) && /\p{Lu}/u.test(word);
const words = (name: string) => name.split(/\s+/).filter(Boolean);

/** British and American spellings of the same organization name. */
function spellings(name: string): string[] {
  const variants = new Set([name]);
  variants.add(name.replace(/isation/g, 'ization').replace(/ise\b/g, 'ize'));
  variants.add(name.replace(/ization/g, 'isation'));
  return [...variants];
}

function leaderPatterns(leader: KnownLeader): Pattern[] {
  const base = { type: 'Leader' as const, id: leader.id, caseSensitive: false };
  const nameWords = words(fold(leader.name));
  const patterns: Pattern[] = [
    { ...base, needle: fold(leader.name), matchedBy: 'NAME', bare: false },
  ];
  let surnameGiven = false;
  for (const alias of leader.aliases) {
    // "President Xi" is the alias "Xi" after a title: the span is the name, as for full names.
    const folded = words(fold(alias.trim()))
      .filter((word, i, all) => !(TITLE_WORDS.has(word) && i < all.length - 1))
      .join(' ');
    if (!folded) continue;
    const single = words(folded).length === 1;
    // A one-word alias that is part of the full name ("Xi", "Putin") is a surname: ambiguous alone.
    const bare = single && nameWords.includes(folded) && !isAcronym(alias.trim());
    if (bare) surnameGiven = true;
    patterns.push({ ...base, needle: folded, matchedBy: 'ALIAS', bare });
  }
  // Without a surname among the aliases, assume the last word of the name is one.
  const last = nameWords.at(-1);
  if (!surnameGiven && nameWords.length > 1 && last && last.length > 1) {
    patterns.push({ ...base, needle: last, matchedBy: 'ALIAS', bare: true });
  }
  return patterns;
}

function organizationPatterns(organization: KnownOrganization): Pattern[] {
  const base = { type: 'Organization' as const, id: organization.id, bare: false };
  const patterns: Pattern[] = spellings(organization.name).map((name) => ({
    ...base,
    needle: fold(name),
    matchedBy: 'NAME',
    caseSensitive: false,
  }));
  if (organization.acronym) {
    patterns.push({
      ...base,
      needle: organization.acronym,
      matchedBy: 'ACRONYM',
      caseSensitive: true,
    });
  }
  return patterns;
}

/** Words between a title and a name that still belong to the title ("Prime Minister"). */
function hasTitleBefore(folded: string, start: number, country: string): boolean {
  const before = folded.slice(Math.max(0, start - 60), start);
  // "China's Xi", "Russia's Putin": the leader's own country in the possessive.
  const possessive = /([\p{L}-]+)'s?\s+$/u.exec(before);
  if (possessive && possessive[1] === fold(country)) return true;
  const previous = /([\p{L}-]+)\.?\s+$/u.exec(before);
  return previous !== null && TITLE_WORDS.has(previous[1] as string);
}

/**
 * Finds the known entities an article names, as a careful indexer would: names and aliases in any
 * case and without diacritics, longest first and as whole words; acronyms as written; a surname
 * alone only after the full name (in the headline or earlier in the body) or right after a title,
 * unless it is distinctive (one known leader's, and not a surname many people share);
 * "the SCO summit" as the summit of that organization nearest to publication.
 */
export function findMentions(
  body: string,
  known: KnownEntities,
  options: { publishedAt: Date; headline?: string },
): FoundMention[] {
  const folded = fold(body);
  const headline = fold(options.headline ?? '');
  const patterns: Pattern[] = [
    ...known.leaders.flatMap(leaderPatterns),
    ...known.organizations.flatMap(organizationPatterns),
    ...known.summits.map(
      (summit): Pattern => ({
        type: 'Summit',
        id: summit.id,
        needle: fold(summit.name),
        matchedBy: 'NAME',
        bare: false,
        caseSensitive: false,
      }),
    ),
  ];
  patterns.push(...summitBaseNames(known.summits, options.publishedAt));
  patterns.push(...introducedAcronyms(body, folded, known.organizations));
  patterns.sort(
    (a, b) => b.needle.length - a.needle.length || RANK[a.matchedBy] - RANK[b.matchedBy],
  );

  // One mask per entity type: a leader's name can not hide inside another leader's, but "SCO"
  // inside "SCO Summit 2022" still names the organization.
  const taken: Record<EntityType, Uint8Array> = {
    Leader: new Uint8Array(body.length),
    Organization: new Uint8Array(body.length),
    Summit: new Uint8Array(body.length),
  };
  const hits: Hit[] = [];
  const bareHits: (Hit & { leader: KnownLeader })[] = [];
  const leaders = new Map(known.leaders.map((leader) => [leader.id, leader]));

  for (const pattern of patterns) {
    const haystack = pattern.caseSensitive ? body : folded;
    for (const start of wholeWordOffsets(haystack, pattern.needle)) {
      const end = start + pattern.needle.length;
      const mask = taken[pattern.type];
      if (mask.subarray(start, end).some(Boolean)) continue;
      // One-word names must be capitalised as names are; "li" or "xi" in lower case is not one.
      if (words(pattern.needle).length === 1 && !/^\p{Lu}/u.test(body[start] as string)) continue;
      const hit = { type: pattern.type, id: pattern.id, start, end, matchedBy: pattern.matchedBy };
      // A summit named without its year ("the SCO summit") must be a particular one.
      if (pattern.type === 'Summit' && pattern.matchedBy === 'ALIAS' && unspecific(folded, start)) {
        continue;
      }
      if (pattern.bare) {
        // Part of a longer name ("Li" in "Li Qiang")? Then it is somebody else.
        const next = /^\s+(\p{Lu}[\p{L}-]*)/u.exec(body.slice(end, end + 40));
        if (next) continue;
        bareHits.push({ ...hit, leader: leaders.get(pattern.id) as KnownLeader });
        continue;
      }
      mask.fill(1, start, end);
      hits.push(hit);
    }
  }

  // Bare surnames, in text order: a leader is "introduced" by the full name or a longer alias
  // (here or in the headline) or by a title or possessive ("President Xi", "China's Xi"); after
  // that the surname alone names them. Where two introduced leaders share it, the one named
  // most recently wins; where nothing decides, nothing is linked. A distinctive surname
  // ("Netanyahu", "Putin") needs no introduction.
  const introducedInHeadline = new Set<number>();
  for (const leader of known.leaders) {
    const full = leaderPatterns(leader).filter((p) => !p.bare);
    const bare = leaderPatterns(leader).filter((p) => p.bare);
    const named =
      full.some((p) => wholeWordOffsets(headline, p.needle).length > 0) ||
      bare.some((p) =>
        wholeWordOffsets(headline, p.needle).some((at) =>
          hasTitleBefore(headline, at, leader.country),
        ),
      );
    if (named) introducedInHeadline.add(leader.id);
  }
  bareHits.sort((a, b) => a.start - b.start);
  const byPosition = new Map<number, (typeof bareHits)[number][]>();
  for (const hit of bareHits) {
    const list = byPosition.get(hit.start) ?? [];
    if (!list.some((other) => other.id === hit.id)) list.push(hit);
    byPosition.set(hit.start, list);
  }
  for (const [start, candidates] of byPosition) {
    if (taken.Leader[start]) continue;
    const named = candidates
      .map((candidate) => ({
        candidate,
        last: hits
          .filter((h) => h.type === 'Leader' && h.id === candidate.id && h.start < start)
          .reduce((best, h) => Math.max(best, h.start), -1),
        inHeadline: introducedInHeadline.has(candidate.id),
        titled: hasTitleBefore(folded, start, candidate.leader.country),
      }))
      .filter(
        (c) =>
          c.last >= 0 ||
          c.inHeadline ||
          c.titled ||
          (/^\p{Lu}\p{Ll}/u.test(body.slice(start, start + 2)) &&
            distinctive(candidates.length, folded.slice(start, c.candidate.end))),
      );
    named.sort((a, b) => b.last - a.last || Number(b.titled) - Number(a.titled));
    const [first, second] = named;
    if (!first) continue;
    if (second && first.last === second.last && first.titled === second.titled) continue;
    const { candidate } = first;
    taken.Leader.fill(1, candidate.start, candidate.end);
    hits.push({
      type: candidate.type,
      id: candidate.id,
      start: candidate.start,
      end: candidate.end,
      matchedBy: candidate.matchedBy,
    });
  }

  hits.push(...summitReferences(folded, hits, known, options.publishedAt, taken.Summit));
  return group(body, hits);
}

/**
 * Whether a surname (folded), found where `leaders` known leaders could have it, is distinctive:
 * one leader's, four letters or more, and not a common word or a name many people share ("Putin",
 * "Netanyahu"; not "Kim", "Li", "May"). An article may name that leader by it from the start
 * ("Netanyahu postpones trip to meet Putin").
 */
function distinctive(leaders: number, word: string): boolean {
  return leaders === 1 && word.length >= 4 && !SHARED_SURNAME.test(word);
}

const SHARED_SURNAME =
  /^(?:kim|lee|park|moon|choi|yoon|li|wang|zhang|liu|chen|yang|zhao|huang|zhou|wu|xu|sun|ma|hu|guo|he|lin|singh|khan|ali|ahmed|hassan|castro|bush|clinton|may|king|brown|rice|young|long|rose|price|grant|love|bolton|abe|sharif|assad|gandhi|kennedy|adams|johnson|smith|jones|williams|nguyen|tran|le|pham)$/;

/**
 * "Eastern Economic Forum" for "Eastern Economic Forum 2022": a summit's name without its year
 * names the edition nearest to publication.
 */
function summitBaseNames(summits: readonly KnownSummit[], publishedAt: Date): Pattern[] {
  const editions = new Map<string, KnownSummit[]>();
  for (const summit of summits) {
    const base = fold(summit.name)
      .replace(/\s*\b(?:19|20)\d\d\b\s*/g, ' ')
      .trim();
    if (base === fold(summit.name) || words(base).length < 2) continue;
    editions.set(base, [...(editions.get(base) ?? []), summit]);
  }
  const distance = (summit: KnownSummit) =>
    Math.abs(summit.startsOn.getTime() - publishedAt.getTime());
  return [...editions].map(([base, list]) => ({
    type: 'Summit' as const,
    id: [...list].sort((a, b) => distance(a) - distance(b))[0]?.id as number,
    needle: base,
    matchedBy: 'ALIAS' as const,
    bare: false,
    caseSensitive: false,
  }));
}

/**
 * "a G20 summit", "the next SCO summit", "every BRICS summit": not one particular summit, or one
 * the story may not know. Such phrases are not linked.
 */
function unspecific(folded: string, start: number): boolean {
  const before = folded.slice(Math.max(0, start - 24), start);
  return /\b(?:a|an|any|every|each|no|next|last|previous|past|upcoming|first|future|another)\s+(?:\d{4}\s+)?$/.test(
    before,
  );
}

/** "Shanghai Cooperation Organisation (SCO)": the acronym then names that body in this text. */
function introducedAcronyms(
  body: string,
  folded: string,
  organizations: readonly KnownOrganization[],
): Pattern[] {
  const patterns: Pattern[] = [];
  for (const organization of organizations) {
    for (const name of spellings(organization.name)) {
      for (const start of wholeWordOffsets(folded, fold(name))) {
        const after = body.slice(start + name.length, start + name.length + 16);
        const acronym = /^\s*\(([\p{Lu}\p{N}&-]{2,10})\)/u.exec(after)?.[1];
        if (acronym && acronym !== organization.acronym) {
          patterns.push({
            type: 'Organization',
            id: organization.id,
            needle: acronym,
            matchedBy: 'ACRONYM',
            bare: false,
            caseSensitive: true,
          });
        }
      }
    }
  }
  return patterns;
}

/**
 * "the SCO summit", "the 2023 BRICS summit", "the Samarkand summit": the organization's (or the
 * city's) summit nearest to publication, or of that year when one is given.
 */
function summitReferences(
  folded: string,
  hits: readonly Hit[],
  known: KnownEntities,
  publishedAt: Date,
  mask: Uint8Array,
): Hit[] {
  const found: Hit[] = [];
  const nearest = (summits: KnownSummit[], year?: number) =>
    summits
      .filter((summit) => year === undefined || summit.startsOn.getUTCFullYear() === year)
      .sort(
        (a, b) =>
          Math.abs(a.startsOn.getTime() - publishedAt.getTime()) -
          Math.abs(b.startsOn.getTime() - publishedAt.getTime()),
      )[0];
  const claim = (start: number, end: number, summit: KnownSummit, matchedBy: MatchedBy) => {
    if (mask.subarray(start, end).some(Boolean)) return;
    mask.fill(1, start, end);
    found.push({ type: 'Summit', id: summit.id, start, end, matchedBy });
  };
  const SUMMIT_AFTER =
    /^(?:'s)?(?:\s+\([\p{L}\p{N}&-]{2,10}\))?\s+(?:(?:leaders'?|annual|\d{4})\s+)?(?:summit|meeting)\b/u;
  for (const hit of hits) {
    if (hit.type !== 'Organization') continue;
    const after = SUMMIT_AFTER.exec(folded.slice(hit.end, hit.end + 40));
    if (!after) continue;
    if (unspecific(folded, hit.start)) continue;
    const before = folded.slice(Math.max(0, hit.start - 5), hit.start);
    const year =
      /^(\d{4})\s$/.exec(before)?.[1] && !isWordChar(folded[hit.start - 6])
        ? before.slice(0, 4)
        : undefined;
    const summit = nearest(
      known.summits.filter((s) => s.organizerId === hit.id),
      year ? Number(year) : undefined,
    );
    if (!summit) continue;
    const start = year ? hit.start - 5 : hit.start;
    claim(start, hit.end + after[0].length, summit, hit.matchedBy === 'NAME' ? 'ALIAS' : 'ACRONYM');
  }
  const cities = new Map<string, KnownSummit[]>();
  for (const summit of known.summits) {
    const city = fold(summit.city);
    if (city) cities.set(city, [...(cities.get(city) ?? []), summit]);
  }
  for (const [city, summits] of cities) {
    for (const start of wholeWordOffsets(folded, `${city} summit`)) {
      const summit = nearest(summits);
      if (summit) claim(start, start + city.length + ' summit'.length, summit, 'ALIAS');
    }
  }
  return found;
}

function group(body: string, hits: readonly Hit[]): FoundMention[] {
  const mentions = new Map<string, FoundMention>();
  for (const hit of [...hits].sort((a, b) => a.start - b.start)) {
    const key = `${hit.type}:${hit.id}`;
    const mention = mentions.get(key) ?? {
      type: hit.type,
      id: hit.id,
      matchedBy: hit.matchedBy,
      spans: [],
    };
    if (RANK[hit.matchedBy] < RANK[mention.matchedBy]) mention.matchedBy = hit.matchedBy;
    mention.spans.push(spanOf(body, hit.start, hit.end));
    mentions.set(key, mention);
  }
  // Text order; where two start together ("SCO summit", "SCO"), the longer one first.
  const first = (m: FoundMention) => m.spans[0] ?? { start: 0, end: 0 };
  return [...mentions.values()].sort(
    (a, b) => first(a).start - first(b).start || first(b).end - first(a).end,
  );
}
