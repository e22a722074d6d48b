// Stores the pipeline's answers to queries in the response cache (live/response-cache.ts), which
// the fast path in front of Yoga (fast-reads.ts) answers repeats from. Runs after the story-cursor
// plugin, so a kept answer carries the `storyCursor` it was computed at. Only whole, error-free
// answers to a query sent as text are kept: never a mutation or subscription, never an answer
// with an error, never one whose text came from a persisted-query hash alone.
import { getOperationAST } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { Context } from '../context.ts';
import { answerTags, ResponseCache } from '../live/response-cache.ts';

type RequestContext = Context & {
  params?: { query?: unknown; operationName?: unknown; variables?: unknown };
};

export function useResponseCache(cache: ResponseCache): Plugin<Context> {
  return {
    onExecute({ args }) {
      const context = args.contextValue as RequestContext;
      const text = context.params?.query;
      // The key is the text the client sent: it must be the text that was executed.
      if (typeof text !== 'string' || args.document.loc?.source.body !== text) return;
      const operation = getOperationAST(args.document, args.operationName);
      if (operation?.operation !== 'query') return;
      // Taken before the data is read: an event read meanwhile makes the answer unfit to keep.
      const generation = cache.generation;
      return {
        onExecuteDone({ result }) {
          if (isAsyncIterable(result) || result.errors?.length || !result.data) return;
          // Only an answer that says where it stands (the story-cursor plugin runs first).
          if (typeof result.extensions?.storyCursor !== 'string') return;
          const key = ResponseCache.key(
            text,
            context.params?.operationName,
            context.params?.variables,
            context.viewer.role,
          );
          cache.store(
            key,
            {
              text,
              body: JSON.stringify(result),
              operation: operation.name?.value ?? 'anonymous',
              tags: answerTags(args.schema, args.document, result.data),
            },
            generation,
          );
        },
      };
    },
  };
}
