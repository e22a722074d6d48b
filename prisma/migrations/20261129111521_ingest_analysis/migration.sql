-- CreateEnum
CREATE TYPE "MentionMatch" AS ENUM ('NAME', 'ALIAS', 'ACRONYM', 'EDITOR');

-- AlterTable
ALTER TABLE "Article" ADD COLUMN     "analysis" JSONB NOT NULL DEFAULT '{}';

-- AlterTable
ALTER TABLE "LeaderMention" ADD COLUMN     "matchedBy" "MentionMatch" NOT NULL DEFAULT 'EDITOR';

-- AlterTable
ALTER TABLE "OrganizationMention" ADD COLUMN     "matchedBy" "MentionMatch" NOT NULL DEFAULT 'EDITOR';

-- AlterTable
ALTER TABLE "SummitMention" ADD COLUMN     "matchedBy" "MentionMatch" NOT NULL DEFAULT 'EDITOR';

-- CreateIndex
CREATE INDEX "Article_url_idx" ON "Article"("url");
