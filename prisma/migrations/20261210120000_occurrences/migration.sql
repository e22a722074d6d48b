-- CreateEnum
CREATE TYPE "OccurrenceKind" AS ENUM ('MEETING', 'VISIT', 'TALKS', 'CALL', 'SIGNING', 'OTHER');

-- CreateEnum
CREATE TYPE "OccurrenceStatus" AS ENUM ('EXPECTED', 'ANNOUNCED', 'CONFIRMED', 'OCCURRED', 'POSTPONED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "ClaimModality" AS ENUM ('PLANNED', 'EXPECTED', 'CONFIRMED', 'REPORTED', 'DENIED', 'POSTPONED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "ClaimRank" AS ENUM ('PREFERRED', 'NORMAL', 'DEPRECATED');

-- CreateEnum
CREATE TYPE "ParticipantRole" AS ENUM ('INITIATOR', 'COUNTERPART', 'HOST', 'GUEST');

-- CreateEnum
CREATE TYPE "TimePrecision" AS ENUM ('DAY', 'WEEK', 'MONTH', 'PART_OF_YEAR', 'YEAR', 'DECADE');

-- CreateTable
CREATE TABLE "Occurrence" (
    "id" SERIAL NOT NULL,
    "slug" TEXT NOT NULL,
    "kind" "OccurrenceKind" NOT NULL,
    "cameoCode" TEXT,
    "status" "OccurrenceStatus" NOT NULL,
    "whenFrom" DATE,
    "whenTo" DATE,
    "whenPrecision" "TimePrecision",
    "previousWhen" JSONB NOT NULL DEFAULT '[]',
    "place" TEXT,
    "partOfSummitId" INTEGER,
    "partOfOccurrenceId" INTEGER,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Occurrence_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OccurrenceParticipant" (
    "id" SERIAL NOT NULL,
    "occurrenceId" INTEGER NOT NULL,
    "leaderId" INTEGER,
    "organizationId" INTEGER,
    "role" "ParticipantRole" NOT NULL,

    CONSTRAINT "OccurrenceParticipant_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Claim" (
    "id" SERIAL NOT NULL,
    "articleId" INTEGER NOT NULL,
    "occurrenceId" INTEGER,
    "kind" "OccurrenceKind" NOT NULL,
    "cameoCode" TEXT,
    "modality" "ClaimModality" NOT NULL,
    "whenFrom" DATE,
    "whenTo" DATE,
    "whenPrecision" "TimePrecision",
    "place" TEXT,
    "partOfSummitId" INTEGER,
    "partOfOccurrenceId" INTEGER,
    "attributionName" TEXT,
    "attributionKind" TEXT,
    "attributionStart" INTEGER,
    "attributionEnd" INTEGER,
    "attributionInHeadline" BOOLEAN,
    "evidenceStart" INTEGER NOT NULL,
    "evidenceEnd" INTEGER NOT NULL,
    "evidenceExact" TEXT NOT NULL,
    "evidencePrefix" TEXT NOT NULL DEFAULT '',
    "evidenceSuffix" TEXT NOT NULL DEFAULT '',
    "evidenceInHeadline" BOOLEAN NOT NULL DEFAULT false,
    "confidence" DOUBLE PRECISION NOT NULL,
    "rank" "ClaimRank" NOT NULL DEFAULT 'NORMAL',
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Claim_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ClaimParticipant" (
    "id" SERIAL NOT NULL,
    "claimId" INTEGER NOT NULL,
    "leaderId" INTEGER,
    "organizationId" INTEGER,

    CONSTRAINT "ClaimParticipant_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Occurrence_slug_key" ON "Occurrence"("slug");

-- CreateIndex
CREATE INDEX "Occurrence_partOfSummitId_idx" ON "Occurrence"("partOfSummitId");

-- CreateIndex
CREATE INDEX "Occurrence_partOfOccurrenceId_idx" ON "Occurrence"("partOfOccurrenceId");

-- CreateIndex
CREATE INDEX "Occurrence_whenFrom_whenTo_idx" ON "Occurrence"("whenFrom", "whenTo");

-- CreateIndex
CREATE INDEX "Occurrence_status_idx" ON "Occurrence"("status");

-- CreateIndex
CREATE INDEX "OccurrenceParticipant_leaderId_idx" ON "OccurrenceParticipant"("leaderId");

-- CreateIndex
CREATE INDEX "OccurrenceParticipant_organizationId_idx" ON "OccurrenceParticipant"("organizationId");

-- CreateIndex
CREATE UNIQUE INDEX "OccurrenceParticipant_occurrenceId_leaderId_organizationId_key" ON "OccurrenceParticipant"("occurrenceId", "leaderId", "organizationId");

-- CreateIndex
CREATE INDEX "Claim_articleId_idx" ON "Claim"("articleId");

-- CreateIndex
CREATE INDEX "Claim_occurrenceId_idx" ON "Claim"("occurrenceId");

-- CreateIndex
CREATE INDEX "ClaimParticipant_claimId_idx" ON "ClaimParticipant"("claimId");

-- CreateIndex
CREATE INDEX "ClaimParticipant_leaderId_idx" ON "ClaimParticipant"("leaderId");

-- CreateIndex
CREATE INDEX "ClaimParticipant_organizationId_idx" ON "ClaimParticipant"("organizationId");

-- AddForeignKey
ALTER TABLE "Occurrence" ADD CONSTRAINT "Occurrence_partOfSummitId_fkey" FOREIGN KEY ("partOfSummitId") REFERENCES "Summit"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Occurrence" ADD CONSTRAINT "Occurrence_partOfOccurrenceId_fkey" FOREIGN KEY ("partOfOccurrenceId") REFERENCES "Occurrence"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OccurrenceParticipant" ADD CONSTRAINT "OccurrenceParticipant_occurrenceId_fkey" FOREIGN KEY ("occurrenceId") REFERENCES "Occurrence"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OccurrenceParticipant" ADD CONSTRAINT "OccurrenceParticipant_leaderId_fkey" FOREIGN KEY ("leaderId") REFERENCES "Leader"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OccurrenceParticipant" ADD CONSTRAINT "OccurrenceParticipant_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Claim" ADD CONSTRAINT "Claim_articleId_fkey" FOREIGN KEY ("articleId") REFERENCES "Article"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Claim" ADD CONSTRAINT "Claim_occurrenceId_fkey" FOREIGN KEY ("occurrenceId") REFERENCES "Occurrence"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Claim" ADD CONSTRAINT "Claim_partOfSummitId_fkey" FOREIGN KEY ("partOfSummitId") REFERENCES "Summit"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Claim" ADD CONSTRAINT "Claim_partOfOccurrenceId_fkey" FOREIGN KEY ("partOfOccurrenceId") REFERENCES "Occurrence"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ClaimParticipant" ADD CONSTRAINT "ClaimParticipant_claimId_fkey" FOREIGN KEY ("claimId") REFERENCES "Claim"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ClaimParticipant" ADD CONSTRAINT "ClaimParticipant_leaderId_fkey" FOREIGN KEY ("leaderId") REFERENCES "Leader"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ClaimParticipant" ADD CONSTRAINT "ClaimParticipant_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

