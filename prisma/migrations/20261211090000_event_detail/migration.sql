-- What an event's diffs leave out and folding the log (`asOf`) needs: a mention's spans, a
-- claim's evidence and participants, an article's analysis.
CREATE TABLE "StoryEventDetail" (
    "sequence" INTEGER NOT NULL,
    "detail" JSONB NOT NULL,

    CONSTRAINT "StoryEventDetail_pkey" PRIMARY KEY ("sequence")
);
