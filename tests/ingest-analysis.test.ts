import { describe, expect, it } from 'vitest';
import { findAttributions } from '../src/story/ingest/attributions.ts';
import { findTimeExpressions } from '../src/story/ingest/dates.ts';
import type { KnownEntities } from '../src/story/ingest/known.ts';
import { findMentions } from '../src/story/ingest/matching.ts';
import { findProposals } from '../src/story/ingest/proposals.ts';
import { findQuotes } from '../src/story/ingest/quotes.ts';

// The analysis is pure: these tests need no database, only text and a small known story.
const KNOWN: KnownEntities = {
  leaders: [
    { id: 1, name: 'Xi Jinping', aliases: ['Xi', 'President Xi'], country: 'China' },
    { id: 2, name: 'Vladimir Putin', aliases: ['Putin'], country: 'Russia' },
    { id: 3, name: 'Li Zhanshu', aliases: ['Li'], country: 'China' },
    { id: 4, name: 'Recep Tayyip Erdoğan', aliases: [], country: 'Turkey' },
  ],
  organizations: [
    { id: 1, name: 'Shanghai Cooperation Organization', acronym: 'SCO' },
    { id: 2, name: 'Collective Security Treaty Organization', acronym: null },
  ],
  summits: [
    {
      id: 1,
      name: 'SCO Summit 2022',
      organizerId: 1,
      city: 'Samarkand',
      startsOn: new Date('2022-09-15'),
    },
    {
      id: 2,
      name: 'SCO Summit 2024',
      organizerId: 1,
      city: 'Astana',
      startsOn: new Date('2024-07-03'),
    },
  ],
};
const SEPT_7_2022 = new Date('2022-09-07T08:00:00Z'); // a Wednesday

const links = (text: string, headline = '', publishedAt = SEPT_7_2022) =>
  findMentions(text, KNOWN, { publishedAt, headline }).map((m) => [
    `${m.type}:${m.id}`,
    m.matchedBy,
    m.spans.map((s) => s.text),
  ]);

describe('linking', () => {
  it('matches names in any case and without diacritics, longest first, whole words only', () => {
    // "ERDOGAN" comes before the full name, so it is not yet known to be him.
    expect(
      links(
        'ERDOGAN aside, Recep Tayyip Erdogan met XI JINPING. Xiamen and Putinism are not names.',
      ),
    ).toEqual([
      ['Leader:4', 'NAME', ['Recep Tayyip Erdogan']],
      ['Leader:1', 'NAME', ['XI JINPING']],
    ]);
  });

  it('links a surname alone only once the full name, a title or a possessive introduced it', () => {
    expect(links('Li arrived on Monday.')).toEqual([]);
    expect(links('Li Zhanshu arrived on Monday. Li met officials.')).toEqual([
      ['Leader:3', 'NAME', ['Li Zhanshu', 'Li']],
    ]);
    expect(links('China’s Xi and Russia’s Putin met. Xi spoke first.')).toEqual([
      ['Leader:1', 'ALIAS', ['Xi', 'Xi']],
      ['Leader:2', 'ALIAS', ['Putin']],
    ]);
    expect(links("President Xi's visit")).toEqual([['Leader:1', 'ALIAS', ['Xi']]]);
    // A surname only one known leader has, and few people share, names them from the start; a
    // shared one ("Kim", "Li") or one in capitals does not.
    expect(links('Netanyahu postponed the trip to meet Putin.')).toEqual([
      ['Leader:2', 'ALIAS', ['Putin']],
    ]);
    expect(links('PUTIN aside, Kim and Li met.')).toEqual([]);
    // The headline introduces him too.
    expect(links('Xi spoke first.', 'Xi Jinping to visit Astana')).toEqual([
      ['Leader:1', 'ALIAS', ['Xi']],
    ]);
  });

  it('does not take the surname of another person for a known leader', () => {
    expect(links('Li Zhanshu left. Premier Li Qiang stayed.')).toEqual([
      ['Leader:3', 'NAME', ['Li Zhanshu']],
    ]);
    expect(links('Russian President Vladimir Putin and his spokesman')).toEqual([
      ['Leader:2', 'NAME', ['Vladimir Putin']],
    ]);
  });

  it('learns an acronym given in parentheses and links its later uses', () => {
    expect(
      links('The Collective Security Treaty Organization (CSTO) met. The CSTO said little.'),
    ).toEqual([
      ['Organization:2', 'NAME', ['Collective Security Treaty Organization', 'CSTO', 'CSTO']],
    ]);
    // British spelling of a stored name.
    expect(links('The Shanghai Cooperation Organisation grew.')).toEqual([
      ['Organization:1', 'NAME', ['Shanghai Cooperation Organisation']],
    ]);
  });

  it('links "the SCO summit" to the edition nearest to publication, and not a generic one', () => {
    expect(links('Leaders meet at the SCO summit.')).toEqual([
      ['Summit:1', 'ALIAS', ['SCO summit']],
      ['Organization:1', 'ACRONYM', ['SCO']],
    ]);
    expect(links('Leaders meet at the SCO summit.', '', new Date('2024-06-20T00:00:00Z'))).toEqual([
      ['Summit:2', 'ALIAS', ['SCO summit']],
      ['Organization:1', 'ACRONYM', ['SCO']],
    ]);
    expect(
      links('He has never missed an SCO summit, nor will he miss the next SCO summit.'),
    ).toEqual([['Organization:1', 'ACRONYM', ['SCO', 'SCO']]]);
    expect(links('Back to the Samarkand summit.')).toEqual([
      ['Summit:1', 'ALIAS', ['Samarkand summit']],
    ]);
  });

  it('gives spans that are offsets into the text, in text order', () => {
    const text = 'Putin’s aide said Vladimir Putin would fly. Putin did.';
    for (const mention of findMentions(text, KNOWN, { publishedAt: SEPT_7_2022 })) {
      for (const span of mention.spans) expect(text.slice(span.start, span.end)).toBe(span.text);
      const starts = mention.spans.map((s) => s.start);
      expect(starts).toEqual([...starts].sort((a, b) => a - b));
    }
  });
});

const dates = (text: string, publishedAt = SEPT_7_2022) =>
  findTimeExpressions(text, publishedAt).map((t) => [t.text, t.from, t.to, t.precision]);

describe('time expressions', () => {
  it('resolves weekdays by the tense of the verb that governs them', () => {
    expect(dates('He arrived on Monday.')).toEqual([['Monday', '2022-09-05', '2022-09-05', 'DAY']]);
    expect(dates('He will arrive on Monday.')).toEqual([
      ['Monday', '2022-09-12', '2022-09-12', 'DAY'],
    ]);
    expect(dates('The forum, held every year, closes on Thursday.')).toEqual([
      ['Thursday', '2022-09-08', '2022-09-08', 'DAY'],
    ]);
    expect(dates('They met on Wednesday.')).toEqual([
      ['Wednesday', '2022-09-07', '2022-09-07', 'DAY'],
    ]);
  });

  it('turns weeks, months and parts of years into intervals', () => {
    expect(
      dates('next week; earlier this week; last month; earlier this year; later this year'),
    ).toEqual([
      ['next week', '2022-09-12', '2022-09-18', 'WEEK'],
      ['earlier this week', '2022-09-05', '2022-09-06', 'WEEK'],
      ['last month', '2022-08-01', '2022-08-31', 'MONTH'],
      ['earlier this year', '2022-01-01', '2022-09-06', 'PART_OF_YEAR'],
      ['later this year', '2022-09-08', '2022-12-31', 'PART_OF_YEAR'],
    ]);
    expect(dates('since early 2020, and early last year, in mid-2019 and the 1990s')).toEqual([
      ['early 2020', '2020-01-01', '2020-04-30', 'PART_OF_YEAR'],
      ['early last year', '2021-01-01', '2021-04-30', 'PART_OF_YEAR'],
      ['mid-2019', '2019-05-01', '2019-08-31', 'PART_OF_YEAR'],
      ['the 1990s', '1990-01-01', '1999-12-31', 'DECADE'],
    ]);
  });

  it('reads explicit dates, ranges, months and years', () => {
    expect(dates('from September 15, in 2013, on 15-16 September, in December 2021')).toEqual([
      ['September 15', '2022-09-15', '2022-09-15', 'DAY'],
      ['2013', '2013-01-01', '2013-12-31', 'YEAR'],
      ['15-16 September', '2022-09-15', '2022-09-16', 'DAY'],
      ['December 2021', '2021-12-01', '2021-12-31', 'MONTH'],
    ]);
    // A month alone goes the way of its verb.
    expect(dates('The war began in February.')).toEqual([
      ['February', '2022-02-01', '2022-02-28', 'MONTH'],
    ]);
  });

  it('keeps resolutions inside the years the API accepts, and years below 100 as written', () => {
    const at = (iso: string) => new Date(iso);
    const resolve = (text: string, published: string) =>
      findTimeExpressions(text, at(published)).map((e) => [e.text, e.from, e.to, e.precision]);
    // In the last year the API accepts, "next year" and "next month" would leave it: dropped.
    expect(
      resolve('They meet next year and next month, and this year.', '9999-12-31T00:00:00Z'),
    ).toEqual([['this year', '9999-01-01', '9999-12-31', 'YEAR']]);
    // In the first, "last year" would: dropped; "next year" is year 2, not 1902.
    expect(resolve('Not last year, but next year.', '0001-06-01T00:00:00Z')).toEqual([
      ['next year', '0002-01-01', '0002-12-31', 'YEAR'],
    ]);
    expect(resolve('They meet next week.', '0050-03-02T00:00:00Z')).toEqual([
      ['next week', '0050-03-07', '0050-03-13', 'WEEK'],
    ]);
    // Every date returned is one the API's Date scalar takes back.
    for (const published of ['0001-01-01T00:00:00Z', '9999-12-31T00:00:00Z']) {
      const found = findTimeExpressions(
        'last week, next week, last month, next month, last year, next year, early next year, the 1990s',
        at(published),
      );
      for (const e of found) {
        expect(e.from).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(e.to).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      }
    }
  });

  it('leaves out what it can not pin down, and numbers that are not years', () => {
    expect(dates('in recent years, some 2,300 delegates, $2013 and a few days later')).toEqual([]);
    expect(dates('They may meet; March on.')).toEqual([]);
  });
});

describe('attributions and quotes', () => {
  it('finds sources in the body and the headline, with their kind', () => {
    const body =
      'Putin will travel, according to Tass. The White House said it was watching. “We are ready,” said Dmitry Peskov. Chinese state media reported the visit.';
    const found = findAttributions(body, {
      headline: 'Xi to meet Putin: Russia state media',
      leaderNames: ['Vladimir Putin', 'Putin'],
    });
    expect(found.map((a) => [a.source.name, a.source.kind, a.inHeadline])).toEqual([
      ['Russia state media', 'STATE_MEDIA', true],
      ['Tass', 'STATE_MEDIA', false],
      ['White House', 'GOVERNMENT', false],
      ['Dmitry Peskov', 'OTHER', false],
      ['Chinese state media', 'STATE_MEDIA', false],
    ]);
    for (const a of found) {
      const text = a.inHeadline ? 'Xi to meet Putin: Russia state media' : body;
      expect(text.slice(a.span.start, a.span.end)).toBe(a.span.text);
    }
  });

  it('finds quoted words without their marks, curly or straight, and skips apostrophes', () => {
    const text =
      'He called it a “no limits” partnership. She said "we will see" and Russia’s ‘red line’ held.';
    expect(findQuotes(text).map((q) => [q.text, text.slice(q.start, q.end)])).toEqual([
      ['no limits', 'no limits'],
      ['we will see', 'we will see'],
      ['red line', 'red line'],
    ]);
  });
});

describe('proposals of numbered groupings', () => {
  it('proposes "G20", "BRICS+", "P5" and "the Group of 20" as organizations, with the long form', () => {
    const text =
      'The G20 met again. Leaders of the Group of 20 (G20) meet in Rio after a BRICS+ meeting, and the P5 met at the United Nations.';
    const found = findProposals(text, []).filter((p) => p.kind === 'ORGANIZATION');
    expect(found.map((p) => [p.text, p.spans.map((s) => s.text)])).toEqual([
      ['Group of 20', ['G20', 'Group of 20', 'G20']],
      ['BRICS+', ['BRICS+']],
      ['P5', ['P5']],
      ['United Nations', ['United Nations']],
    ]);
    const seven = findProposals('Later the Group of Seven (G7) issued a statement.', []);
    expect(seven.map((p) => [p.text, p.kind])).toEqual([['Group of Seven', 'ORGANIZATION']]);
  });
});
