-- What an event's diffs leave out and folding the log (`asOf`) needs: a mention's spans, a
-- claim's evidence and participants, an article's analysis.
CREATE TABLE "StoryEventDetail" (
    "sequence" INTEGER NOT NULL,
    "detail" JSONB NOT NULL,

    CONSTRAINT "StoryEventDetail_pkey" PRIMARY KEY ("sequence")
);

-- The story's tables at every AS_OF_CHECKPOINT_EVERY-th event, so `asOf` does not replay the log
-- from its start.
CREATE TABLE "StoryCheckpoint" (
    "sequence" INTEGER NOT NULL,
    "tables" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "StoryCheckpoint_pkey" PRIMARY KEY ("sequence")
);
