-- Stored full-text documents with GIN indexes, so `search` reads an index instead of building a
-- tsvector for every row of four tables on every query. The expressions are the ones `search` used
-- to compute per row (same configurations, same weights), so ranks are unchanged.

-- array_to_string is only STABLE, and a generated column needs IMMUTABLE expressions. Joining a
-- text[] with spaces depends on nothing but its input.
CREATE FUNCTION "storygraph_join_words"(words text[]) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT coalesce(array_to_string(words, ' '), '') $$;

ALTER TABLE "Leader" ADD COLUMN "searchDocument" tsvector GENERATED ALWAYS AS (
  setweight(to_tsvector('simple'::regconfig, "name" || ' ' || "storygraph_join_words"("aliases")), 'A')
  || setweight(to_tsvector('simple'::regconfig, "title" || ' ' || "country"), 'C')
) STORED;

ALTER TABLE "Organization" ADD COLUMN "searchDocument" tsvector GENERATED ALWAYS AS (
  setweight(to_tsvector('simple'::regconfig, "name" || ' ' || coalesce("acronym", '')), 'A')
  || setweight(to_tsvector('english'::regconfig, "description"), 'C')
) STORED;

ALTER TABLE "Summit" ADD COLUMN "searchDocument" tsvector GENERATED ALWAYS AS (
  setweight(to_tsvector('simple'::regconfig, "name"), 'A')
  || setweight(to_tsvector('simple'::regconfig, "city" || ' ' || "country"), 'B')
  || setweight(to_tsvector('english'::regconfig, "description"), 'C')
) STORED;

ALTER TABLE "Article" ADD COLUMN "searchDocument" tsvector GENERATED ALWAYS AS (
  setweight(to_tsvector('english'::regconfig, "headline"), 'A')
  || setweight(to_tsvector('english'::regconfig, "summary"), 'B')
  || setweight(to_tsvector('english'::regconfig, "body"), 'D')
) STORED;

-- CreateIndex
CREATE INDEX "Leader_searchDocument_idx" ON "Leader" USING GIN ("searchDocument");

-- CreateIndex
CREATE INDEX "Organization_searchDocument_idx" ON "Organization" USING GIN ("searchDocument");

-- CreateIndex
CREATE INDEX "Summit_searchDocument_idx" ON "Summit" USING GIN ("searchDocument");

-- CreateIndex
CREATE INDEX "Article_searchDocument_idx" ON "Article" USING GIN ("searchDocument");
