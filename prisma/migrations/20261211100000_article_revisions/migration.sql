-- Article revisions that keep their spans: each text an article has had, and how a claim's
-- evidence fared at the last revision (mention and analysis spans carry theirs in their JSON).
CREATE TYPE "AnchorStatus" AS ENUM ('EXACT', 'MOVED', 'FUZZY', 'STALE');

ALTER TABLE "Claim" ADD COLUMN "evidenceAnchor" "AnchorStatus" NOT NULL DEFAULT 'EXACT';

CREATE TABLE "ArticleRevision" (
    "id" SERIAL NOT NULL,
    "articleId" INTEGER NOT NULL,
    "number" INTEGER NOT NULL,
    "headline" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "correction" TEXT,
    "revisedAt" TIMESTAMP(3) NOT NULL,
    "analysis" JSONB NOT NULL DEFAULT '{}',
    "articleVersion" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ArticleRevision_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "ArticleRevision_articleId_number_key" ON "ArticleRevision"("articleId", "number");

ALTER TABLE "ArticleRevision" ADD CONSTRAINT "ArticleRevision_articleId_fkey" FOREIGN KEY ("articleId") REFERENCES "Article"("id") ON DELETE CASCADE ON UPDATE CASCADE;
