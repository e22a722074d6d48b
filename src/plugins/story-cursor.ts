// Where each answer stands in the story log. Every executed query and mutation answers with
// `extensions.storyCursor`: a position of the log (the cursor `storyEvents(after:)` takes) that
// the answer reflects at least, so a client can resume the feed from it, or send it back. A
// request that sends a cursor back (`extensions.storyAfter`, or the `Story-After` header for GET
// and caches) is answered only once this instance has read the log up to it, on any instance,
// which gives a client that wrote through one replica and reads through another its own writes.
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { Context } from '../context.ts';
import { ErrorCode, userError } from '../core/errors.ts';
import { decodeEventCursor, encodeEventCursor } from '../live/events.ts';

/** The request header that carries `storyAfter` where a body cannot (GET, a CDN's cache key). */
export const STORY_AFTER_HEADER = 'story-after';

type CursorContext = Context & {
  params?: { extensions?: Record<string, unknown> };
  request?: Request;
};

/** The `storyAfter` a request sends: its extension first, then its header; undefined if none. */
function storyAfterOf(context: CursorContext): unknown {
  const extension = context.params?.extensions?.storyAfter;
  if (extension !== undefined && extension !== null) return extension;
  return context.request?.headers.get(STORY_AFTER_HEADER) ?? undefined;
}

/**
 * Adds `storyCursor` to every executed result and holds a request with `storyAfter` until this
 * instance has read the log that far (at most `waitMs`).
 */
export function useStoryCursor(waitMs: number): Plugin<Context> {
  return {
    async onExecute({ args, setResultAndStopExecution }) {
      const context = args.contextValue as CursorContext;
      const after = storyAfterOf(context);
      if (after !== undefined) {
        const problem = await reach(context, after, waitMs);
        if (problem) {
          setResultAndStopExecution({ errors: [problem] });
          return;
        }
      }
      // Read before the data: every event up to here is already in the database the resolvers
      // read, so the answer reflects at least this position.
      const start = context.feed.head;
      return {
        onExecuteDone({ result, setResult }) {
          if (isAsyncIterable(result)) return;
          const sequence = Math.max(start, context.committed ?? 0);
          setResult({
            ...result,
            extensions: { ...result.extensions, storyCursor: encodeEventCursor(sequence) },
          });
        },
      };
    },
  };
}

/** Waits until the feed has read `after`; returns the error to answer with if it can not. */
async function reach(context: CursorContext, after: unknown, waitMs: number) {
  if (typeof after !== 'string') {
    return userError(ErrorCode.BAD_USER_INPUT, '`storyAfter` must be a story event cursor.', {
      field: 'storyAfter',
    });
  }
  let sequence: number;
  try {
    sequence = decodeEventCursor(after);
  } catch (error) {
    return error as Error;
  }
  if (await context.feed.waitForHead(sequence, waitMs)) return undefined;
  // Not reached in time: a cursor past the end of the log is the client's mistake; otherwise
  // this instance is behind (its database or its feed is slow), and the client may retry.
  const head = await context.db.storyHead
    .findUnique({ where: { id: 1 }, select: { sequence: true } })
    .then((row) => row?.sequence)
    .catch(() => undefined);
  if (head !== undefined && sequence > head) {
    return userError(
      ErrorCode.BAD_USER_INPUT,
      `\`storyAfter\` is past the end of the story log, which ends at ${encodeEventCursor(head)}.`,
      { field: 'storyAfter', head: encodeEventCursor(head) },
    );
  }
  const reached = encodeEventCursor(context.feed.head);
  return userError(
    ErrorCode.SERVICE_UNAVAILABLE,
    `This instance did not reach \`storyAfter\` within ${waitMs} ms (it has read the story log up to ${reached}); retry shortly.`,
    { resumeAfter: reached, http: { status: 503 } },
  );
}
