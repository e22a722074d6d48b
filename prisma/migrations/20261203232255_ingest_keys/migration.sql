-- CreateTable
CREATE TABLE "IngestKey" (
    "key" TEXT NOT NULL,
    "articleId" INTEGER,

    CONSTRAINT "IngestKey_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "IngestKey_articleId_idx" ON "IngestKey"("articleId");

-- AddForeignKey
ALTER TABLE "IngestKey" ADD CONSTRAINT "IngestKey_articleId_fkey" FOREIGN KEY ("articleId") REFERENCES "Article"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Backfill: every article already stored claims its key (its URL's, or without one its headline
-- and body's), the oldest article first where several share one. src/story/ingest/keys.ts computes
-- the same keys.
INSERT INTO "IngestKey" ("key", "articleId")
SELECT DISTINCT ON (key) key, id
FROM (
  SELECT
    CASE
      WHEN "url" IS NOT NULL THEN 'url:' || encode(sha256(convert_to("url", 'UTF8')), 'hex')
      ELSE 'text:' || encode(sha256(convert_to("headline" || E'\n' || "body", 'UTF8')), 'hex')
    END AS key,
    "id" AS id
  FROM "Article"
) AS keyed
ORDER BY key, id;
