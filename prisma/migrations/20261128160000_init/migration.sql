-- CreateEnum
CREATE TYPE "DatePrecision" AS ENUM ('DAY', 'MONTH', 'YEAR');

-- CreateEnum
CREATE TYPE "OrganizationKind" AS ENUM ('INTERGOVERNMENTAL', 'PARTY_BODY', 'ALLIANCE', 'FORUM', 'INITIATIVE', 'GOVERNMENT', 'OTHER');

-- CreateEnum
CREATE TYPE "SummitStatus" AS ENUM ('ANNOUNCED', 'EXPECTED', 'CONFIRMED', 'IN_PROGRESS', 'CONCLUDED', 'POSTPONED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "ParticipationStatus" AS ENUM ('EXPECTED', 'CONFIRMED', 'ATTENDED', 'WITHDRAWN');

-- CreateEnum
CREATE TYPE "StoryEventKind" AS ENUM ('CREATED', 'UPDATED', 'DELETED', 'LINKED', 'UNLINKED');

-- CreateTable
CREATE TABLE "Leader" (
    "id" SERIAL NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "aliases" TEXT[],
    "title" TEXT NOT NULL,
    "country" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Leader_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Organization" (
    "id" SERIAL NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "acronym" TEXT,
    "kind" "OrganizationKind" NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "memberStates" TEXT[],
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Organization_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Membership" (
    "id" SERIAL NOT NULL,
    "leaderId" INTEGER NOT NULL,
    "organizationId" INTEGER NOT NULL,
    "role" TEXT NOT NULL,
    "startedOn" DATE,
    "startedOnPrecision" "DatePrecision",
    "endedOn" DATE,
    "endedOnPrecision" "DatePrecision",
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Membership_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Summit" (
    "id" SERIAL NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "organizerId" INTEGER,
    "city" TEXT NOT NULL,
    "country" TEXT NOT NULL,
    "startsOn" DATE NOT NULL,
    "startsOnPrecision" "DatePrecision" NOT NULL DEFAULT 'DAY',
    "endsOn" DATE,
    "endsOnPrecision" "DatePrecision",
    "status" "SummitStatus" NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Summit_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Participation" (
    "id" SERIAL NOT NULL,
    "leaderId" INTEGER NOT NULL,
    "summitId" INTEGER NOT NULL,
    "status" "ParticipationStatus" NOT NULL,
    "note" TEXT NOT NULL DEFAULT '',
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Participation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Article" (
    "id" SERIAL NOT NULL,
    "slug" TEXT NOT NULL,
    "headline" TEXT NOT NULL,
    "summary" TEXT NOT NULL DEFAULT '',
    "body" TEXT NOT NULL DEFAULT '',
    "source" TEXT NOT NULL,
    "url" TEXT,
    "publishedAt" TIMESTAMP(3) NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Article_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LeaderMention" (
    "id" SERIAL NOT NULL,
    "articleId" INTEGER NOT NULL,
    "leaderId" INTEGER NOT NULL,
    "spans" JSONB NOT NULL DEFAULT '[]',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LeaderMention_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OrganizationMention" (
    "id" SERIAL NOT NULL,
    "articleId" INTEGER NOT NULL,
    "organizationId" INTEGER NOT NULL,
    "spans" JSONB NOT NULL DEFAULT '[]',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OrganizationMention_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SummitMention" (
    "id" SERIAL NOT NULL,
    "articleId" INTEGER NOT NULL,
    "summitId" INTEGER NOT NULL,
    "spans" JSONB NOT NULL DEFAULT '[]',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SummitMention_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "StoryEvent" (
    "sequence" INTEGER NOT NULL,
    "kind" "StoryEventKind" NOT NULL,
    "label" TEXT,
    "entityType" TEXT NOT NULL,
    "entityId" INTEGER NOT NULL,
    "entityVersion" INTEGER NOT NULL,
    "changes" JSONB NOT NULL DEFAULT '[]',
    "relatedIds" TEXT[],
    "actorRole" TEXT NOT NULL,
    "occurredAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "StoryEvent_pkey" PRIMARY KEY ("sequence")
);

-- CreateTable
CREATE TABLE "StoryHead" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "sequence" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "StoryHead_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Leader_slug_key" ON "Leader"("slug");

-- CreateIndex
CREATE INDEX "Leader_country_idx" ON "Leader"("country");

-- CreateIndex
CREATE UNIQUE INDEX "Organization_slug_key" ON "Organization"("slug");

-- CreateIndex
CREATE INDEX "Organization_kind_idx" ON "Organization"("kind");

-- CreateIndex
CREATE INDEX "Membership_organizationId_idx" ON "Membership"("organizationId");

-- CreateIndex
CREATE UNIQUE INDEX "Membership_leaderId_organizationId_role_key" ON "Membership"("leaderId", "organizationId", "role");

-- CreateIndex
CREATE UNIQUE INDEX "Summit_slug_key" ON "Summit"("slug");

-- CreateIndex
CREATE INDEX "Summit_organizerId_idx" ON "Summit"("organizerId");

-- CreateIndex
CREATE INDEX "Summit_startsOn_idx" ON "Summit"("startsOn");

-- CreateIndex
CREATE INDEX "Summit_status_idx" ON "Summit"("status");

-- CreateIndex
CREATE INDEX "Participation_summitId_idx" ON "Participation"("summitId");

-- CreateIndex
CREATE UNIQUE INDEX "Participation_leaderId_summitId_key" ON "Participation"("leaderId", "summitId");

-- CreateIndex
CREATE UNIQUE INDEX "Article_slug_key" ON "Article"("slug");

-- CreateIndex
CREATE INDEX "Article_publishedAt_idx" ON "Article"("publishedAt");

-- CreateIndex
CREATE INDEX "LeaderMention_leaderId_idx" ON "LeaderMention"("leaderId");

-- CreateIndex
CREATE UNIQUE INDEX "LeaderMention_articleId_leaderId_key" ON "LeaderMention"("articleId", "leaderId");

-- CreateIndex
CREATE INDEX "OrganizationMention_organizationId_idx" ON "OrganizationMention"("organizationId");

-- CreateIndex
CREATE UNIQUE INDEX "OrganizationMention_articleId_organizationId_key" ON "OrganizationMention"("articleId", "organizationId");

-- CreateIndex
CREATE INDEX "SummitMention_summitId_idx" ON "SummitMention"("summitId");

-- CreateIndex
CREATE UNIQUE INDEX "SummitMention_articleId_summitId_key" ON "SummitMention"("articleId", "summitId");

-- CreateIndex
CREATE INDEX "StoryEvent_entityType_entityId_sequence_idx" ON "StoryEvent"("entityType", "entityId", "sequence");

-- CreateIndex
CREATE INDEX "StoryEvent_relatedIds_idx" ON "StoryEvent" USING GIN ("relatedIds");

-- AddForeignKey
ALTER TABLE "Membership" ADD CONSTRAINT "Membership_leaderId_fkey" FOREIGN KEY ("leaderId") REFERENCES "Leader"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Membership" ADD CONSTRAINT "Membership_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Summit" ADD CONSTRAINT "Summit_organizerId_fkey" FOREIGN KEY ("organizerId") REFERENCES "Organization"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Participation" ADD CONSTRAINT "Participation_leaderId_fkey" FOREIGN KEY ("leaderId") REFERENCES "Leader"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Participation" ADD CONSTRAINT "Participation_summitId_fkey" FOREIGN KEY ("summitId") REFERENCES "Summit"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LeaderMention" ADD CONSTRAINT "LeaderMention_articleId_fkey" FOREIGN KEY ("articleId") REFERENCES "Article"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LeaderMention" ADD CONSTRAINT "LeaderMention_leaderId_fkey" FOREIGN KEY ("leaderId") REFERENCES "Leader"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OrganizationMention" ADD CONSTRAINT "OrganizationMention_articleId_fkey" FOREIGN KEY ("articleId") REFERENCES "Article"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OrganizationMention" ADD CONSTRAINT "OrganizationMention_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SummitMention" ADD CONSTRAINT "SummitMention_articleId_fkey" FOREIGN KEY ("articleId") REFERENCES "Article"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SummitMention" ADD CONSTRAINT "SummitMention_summitId_fkey" FOREIGN KEY ("summitId") REFERENCES "Summit"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- The feed's single head row: writers lock it to number events without gaps.
INSERT INTO "StoryHead" ("id", "sequence") VALUES (1, 0);
