// R1: the reference for reads. A hand-written node:http + pg + graphql-jit server that answers the
// benchmark's two queries with one hand-written SQL statement each (named, so prepared once per
// connection) and responses byte-identical to storygraph's. It is a limit to measure against, not a
// product: it knows only these fields.
//   PORT=… DATABASE_URL=… node --import tsx bench/r1.ts
import { createServer } from 'node:http';
import { buildSchema, type GraphQLObjectType, parse } from 'graphql';
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';
import pg from 'pg';

const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.DATABASE_POOL_SIZE ?? 10),
});
pool.on('error', () => {});

const schema = buildSchema(`
  type Query {
    leader(slug: String!): Leader
    articles(first: Int, orderBy: ArticleOrder): ArticleConnection!
  }
  enum ArticleOrderField { PUBLISHED_AT UPDATED_AT HEADLINE }
  enum OrderDirection { ASC DESC }
  input ArticleOrder { field: ArticleOrderField!, direction: OrderDirection }
  type Leader { name: String! title: String! memberships(first: Int): MembershipConnection! }
  type MembershipConnection { edges: [MembershipEdge!]! }
  type MembershipEdge { node: Membership! }
  type Membership { role: String! organization: Organization! }
  type Organization { name: String! acronym: String }
  type ArticleConnection { edges: [ArticleEdge!]! }
  type ArticleEdge { node: Article! }
  type Article { headline: String! leaders(first: Int): LeaderMentionConnection! }
  type LeaderMentionConnection { edges: [LeaderMentionEdge!]! }
  type LeaderMentionEdge { node: LeaderMention! }
  type LeaderMention { leader: Leader! }
`);

// Query (b) in one statement: the JSON of the whole connection, built by PostgreSQL, in the order
// storygraph uses (articles newest first, mentions by id, memberships by start date then id).
const NESTED_SQL = `
SELECT coalesce(json_agg(json_build_object('node', json_build_object(
  'headline', a.headline,
  'leaders', json_build_object('edges', (
    SELECT coalesce(json_agg(json_build_object('node', json_build_object('leader', json_build_object(
      'name', l.name,
      'memberships', json_build_object('edges', (
        SELECT coalesce(json_agg(json_build_object('node', json_build_object(
          'role', m.role,
          'organization', json_build_object('name', o.name, 'acronym', o.acronym)))
          ORDER BY m."startedOn" ASC NULLS LAST, m.id), '[]')
        FROM (SELECT id, role, "startedOn", "organizationId" FROM "Membership" WHERE "leaderId" = l.id
              ORDER BY "startedOn" ASC NULLS LAST, id LIMIT $3) m
        JOIN "Organization" o ON o.id = m."organizationId"))))) ORDER BY lm.id), '[]')
    FROM (SELECT id, "leaderId" FROM "LeaderMention" WHERE "articleId" = a.id ORDER BY id LIMIT $2) lm
    JOIN "Leader" l ON l.id = lm."leaderId"))))
  ORDER BY a."publishedAt" DESC, a.id DESC), '[]') AS edges
FROM (SELECT id, headline, "publishedAt" FROM "Article" ORDER BY "publishedAt" DESC, id DESC LIMIT $1) a`;

const query = schema.getQueryType() as GraphQLObjectType;
const fields = query.getFields();
(fields.leader as { resolve?: unknown }).resolve = async (
  _root: unknown,
  args: { slug: string },
) => {
  const { rows } = await pool.query({
    name: 'r1-leader',
    text: 'SELECT name, title FROM "Leader" WHERE slug = $1',
    values: [args.slug],
  });
  return rows[0] ?? null;
};
(fields.articles as { resolve?: unknown }).resolve = async (
  _root: unknown,
  args: { first?: number },
) => {
  // The nested page sizes (5 and 5) are the ones query (b) asks for; R1 only serves that query.
  const { rows } = await pool.query({
    name: 'r1-nested',
    text: NESTED_SQL,
    values: [args.first ?? 20, 5, 5],
  });
  return { edges: rows[0].edges };
};

const compiled = new Map<string, CompiledQuery>();
function compiledFor(source: string): CompiledQuery | { errors: unknown[] } {
  let result = compiled.get(source);
  if (!result) {
    const document = parse(source);
    const compiledQuery = compileQuery(schema, document);
    if (!isCompiledQuery(compiledQuery)) return compiledQuery as { errors: unknown[] };
    result = compiledQuery;
    compiled.set(source, result);
  }
  return result;
}

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', async () => {
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const compiledQuery = compiledFor(body.query);
      if (!('query' in compiledQuery)) {
        response.writeHead(400, { 'content-type': 'application/json; charset=utf-8' });
        response.end(JSON.stringify(compiledQuery));
        return;
      }
      const result = await compiledQuery.query(undefined, undefined, body.variables ?? {});
      response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      response.end(compiledQuery.stringify(result));
    } catch (error) {
      response.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
      response.end(JSON.stringify({ errors: [{ message: String(error) }] }));
    }
  });
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.info('r1 ready'));
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void pool.end().then(() => process.exit(0));
});
