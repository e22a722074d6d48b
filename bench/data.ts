// Deterministic benchmark data: the same rows, ids and timestamps on every run, written with
// generate_series (no randomness), into a database that the migrations already built.
import pg from 'pg';

/** How many rows of each kind; `full` is the size the issue's figures use. */
export interface DataSize {
  leaders: number;
  organizations: number;
  summits: number;
  articles: number;
}

export const FULL: DataSize = { leaders: 200, organizations: 30, summits: 150, articles: 1000 };
export const QUICK: DataSize = { leaders: 40, organizations: 10, summits: 20, articles: 120 };

const WORDS = [
  'talks',
  'trade',
  'security',
  'summit',
  'delegation',
  'border',
  'energy',
  'agreement',
  'minister',
  'sanctions',
  'pipeline',
  'cooperation',
  'visit',
  'statement',
  'economy',
  'meeting',
  'alliance',
  'investment',
  'railway',
  'dialogue',
];

/**
 * Fills the story tables: `leaders` leaders (leader 1 is Vladimir Putin, 2 Xi Jinping) with two
 * memberships each, `summits` summits with six participants each, and `articles` articles with
 * three or four leader mentions (3.5 on average: 3,500 for 1,000 articles), one organization and one
 * summit mention each. Every tenth article names Putin in its headline.
 */
export async function generate(url: string, size: DataSize): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { leaders: L, organizations: O, summits: S, articles: A } = size;
  const words = `ARRAY[${WORDS.map((word) => `'${word}'`).join(',')}]`;
  // A deterministic "sentence" of n words for row i.
  const text = (i: string, n: number) =>
    `(SELECT string_agg((${words})[1 + ((${i} * 7 + k * 13) % ${WORDS.length})], ' ') FROM generate_series(1, ${n}) k)`;
  const at = `timestamp '2022-01-01 00:00:00'`;
  try {
    await client.query('BEGIN');
    await client.query(`
      INSERT INTO "Organization" (slug, name, acronym, kind, description, "memberStates", "createdAt", "updatedAt")
      SELECT 'organization-' || i, 'Organization ' || i, 'O' || i,
        (ARRAY['INTERGOVERNMENTAL','PARTY_BODY','ALLIANCE','FORUM','INITIATIVE','GOVERNMENT','OTHER'])[1 + i % 7]::"OrganizationKind",
        'A body that meets about ' || ${text('i', 8)}, ARRAY['Country ' || i, 'Country ' || (i + 1)], ${at}, ${at}
      FROM generate_series(1, ${O}) i`);
    await client.query(`
      INSERT INTO "Leader" (slug, name, aliases, title, country, description, "createdAt", "updatedAt")
      SELECT 'leader-' || i,
        CASE i WHEN 1 THEN 'Vladimir Putin' WHEN 2 THEN 'Xi Jinping' ELSE 'Leader ' || i || ' Surname' END,
        CASE i WHEN 1 THEN ARRAY['Putin'] WHEN 2 THEN ARRAY['Xi'] ELSE ARRAY['L' || i] END,
        (ARRAY['President','Prime Minister','Foreign Minister','Chancellor','General Secretary'])[1 + i % 5],
        'Country ' || (i % 60), 'A leader who talks about ' || ${text('i', 10)}, ${at}, ${at}
      FROM generate_series(1, ${L}) i`);
    await client.query(`
      INSERT INTO "Membership" ("leaderId", "organizationId", role, "startedOn", "startedOnPrecision", "createdAt", "updatedAt")
      SELECT l, 1 + (l * 7 + m * 11) % ${O}, CASE m WHEN 0 THEN 'Member' ELSE 'Delegate' END,
        CASE WHEN (l + m) % 5 = 0 THEN NULL ELSE date '2010-01-01' + ((l * 37 + m * 101) % 3000) END,
        CASE WHEN (l + m) % 5 = 0 THEN NULL ELSE 'DAY'::"DatePrecision" END, ${at}, ${at}
      FROM generate_series(1, ${L}) l, generate_series(0, 1) m`);
    await client.query(`
      INSERT INTO "Summit" (slug, name, "organizerId", city, country, "startsOn", status, description, "createdAt", "updatedAt")
      SELECT 'summit-' || i, 'Summit ' || i, 1 + i % ${O}, 'City ' || (i % 40), 'Country ' || (i % 60),
        date '2020-01-01' + i * 5,
        (ARRAY['ANNOUNCED','EXPECTED','CONFIRMED','IN_PROGRESS','CONCLUDED','POSTPONED','CANCELLED'])[1 + i % 7]::"SummitStatus",
        'Leaders gather for ' || ${text('i', 12)}, ${at}, ${at}
      FROM generate_series(1, ${S}) i`);
    await client.query(`
      INSERT INTO "Participation" ("leaderId", "summitId", status, "createdAt", "updatedAt")
      SELECT 1 + (s * 13 + k * 17) % ${L}, s,
        (ARRAY['EXPECTED','CONFIRMED','ATTENDED','WITHDRAWN'])[1 + (s + k) % 4]::"ParticipationStatus", ${at}, ${at}
      FROM generate_series(1, ${S}) s, generate_series(0, 5) k`);
    await client.query(`
      INSERT INTO "Article" (slug, headline, summary, body, source, url, "publishedAt", "createdAt", "updatedAt")
      SELECT 'article-' || i,
        CASE WHEN i % 10 = 0 THEN 'Putin and ' ELSE 'Leaders and ' END || ${text('i', 6)},
        'The article reports ' || ${text('i + 1', 20)},
        ${text('i + 2', 200)}, (ARRAY['Wire A','Wire B','Daily C','Weekly D'])[1 + i % 4],
        'https://news.example/article-' || i, ${at} + i * interval '1 hour', ${at}, ${at}
      FROM generate_series(1, ${A}) i`);
    await client.query(`
      INSERT INTO "LeaderMention" ("articleId", "leaderId", spans, "createdAt")
      SELECT a, 1 + (a * 31 + k * 53) % ${L}, '[{"start": 0, "end": 4, "text": "name"}]', ${at}
      FROM generate_series(1, ${A}) a, generate_series(0, 3) k
      WHERE k < 3 + a % 2`);
    await client.query(`
      INSERT INTO "OrganizationMention" ("articleId", "organizationId", "createdAt")
      SELECT a, 1 + a % ${O}, ${at} FROM generate_series(1, ${A}) a`);
    await client.query(`
      INSERT INTO "SummitMention" ("articleId", "summitId", "createdAt")
      SELECT a, 1 + a % ${S}, ${at} FROM generate_series(1, ${A}) a`);
    await client.query('COMMIT');
    await client.query('VACUUM ANALYZE');
  } finally {
    await client.end();
  }
}
