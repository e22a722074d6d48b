import {
  createSourceEventStream,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  execute,
  print,
} from 'graphql';
import { isAsyncIterable, mapAsyncIterator, type Plugin } from 'graphql-yoga';
import type { Context } from '../context.ts';

/**
 * Executes each subscription event once per group of identical subscriptions instead of once per
 * subscriber. Every live subscription on an instance receives the same event object from the
 * feed, so results are cached on that object (a WeakMap: they go when the event goes), keyed by
 * what can change the result: the document, the operation, the variables and the viewer's role.
 * A thousand subscribers with the same selection cost one execution per event, not a thousand.
 */
export function useSharedSubscriptionExecution(): Plugin<Context> {
  const results = new WeakMap<object, Map<string, ReturnType<typeof execute>>>();
  const documents = new WeakMap<DocumentNode, string>();
  const documentKey = (document: DocumentNode) => {
    let key = documents.get(document);
    if (key === undefined) {
      key = print(document);
      documents.set(document, key);
    }
    return key;
  };

  return {
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn(async (args: ExecutionArgs) => {
        const context = args.contextValue as Partial<Context> | undefined;
        const key = JSON.stringify([
          documentKey(args.document),
          args.operationName ?? null,
          args.variableValues ?? {},
          context?.viewer?.role ?? 'anonymous',
          context?.stream?.kind ?? null,
        ]);
        const run = (payload: unknown) => {
          if (typeof payload !== 'object' || payload === null)
            return execute({ ...args, rootValue: payload });
          let byKey = results.get(payload);
          if (!byKey) {
            byKey = new Map();
            results.set(payload, byKey);
          }
          let result = byKey.get(key);
          if (!result) {
            result = execute({ ...args, rootValue: payload });
            byKey.set(key, result);
          }
          return result;
        };
        // Over graphql-ws or SSE, the feed writes live events straight to the socket as this
        // group's frames (live/direct.ts); the iterator below then only carries the replay and
        // the end.
        const stream = context?.stream;
        if (stream) {
          context.direct = {
            ...stream,
            key,
            run: (event) => run(event) as ExecutionResult | Promise<ExecutionResult>,
          };
        }
        const source = await createSourceEventStream(args);
        if (!isAsyncIterable(source)) return source as ExecutionResult;
        return mapAsyncIterator(source, run);
      });
    },
  };
}
