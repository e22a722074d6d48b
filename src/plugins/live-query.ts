// `query … @live` over graphql-ws and server-sent events (live/live-queries.ts keeps it current).
// Refused with BAD_USER_INPUT where it can not stay live: over plain HTTP, which answers once,
// and on introspection, which the story never changes. Its cost is checked once, when it
// starts, as a subscription's is; it counts against the same per-socket and per-address caps,
// since those count operations on a socket and event streams from an address, whatever they run.
import { getDirectiveValues, getOperationAST, type OperationDefinitionNode, print } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.ts';
import { ErrorCode, userError } from '../core/errors.ts';
import { clampThrottle, type LiveQueries } from '../live/live-queries.ts';
import { answerTags } from '../live/response-cache.ts';
import { costErrors } from './limits.ts';

/** The `@live` directive on an operation, if it carries one. */
export function liveDirectiveOf(operation: OperationDefinitionNode | null | undefined) {
  return operation?.directives?.find((directive) => directive.name.value === 'live');
}

export function useLiveQueries(live: LiveQueries | undefined): Plugin<Context> {
  return {
    onExecute({ args, executeFn, setExecuteFn, setResultAndStopExecution }) {
      const operation = getOperationAST(args.document, args.operationName);
      if (!operation || !liveDirectiveOf(operation)) return;
      const refuse = (message: string) =>
        setResultAndStopExecution({
          errors: [userError(ErrorCode.BAD_USER_INPUT, message, { directive: 'live' })],
        });
      const context = args.contextValue as Context;
      const { stream, direct: _direct, fastDocuments: _fast, ...base } = context;
      if (!live) {
        refuse('Live queries are not available on this server.');
        return;
      }
      // Our server hands a stream for graphql-ws and SSE; Yoga on its own (in process, or under
      // another server) streams SSE and multipart responses through the iterator.
      const accept = (context as { request?: Request }).request?.headers.get('accept') ?? '';
      if (!stream && !/text\/event-stream|multipart\/mixed/.test(accept)) {
        refuse(
          '`@live` needs a stream to send results on: send the query over graphql-ws, or as server-sent events (`Accept: text/event-stream`). Over plain HTTP, ask without `@live`.',
        );
        return;
      }
      const introspects = operation.selectionSet.selections.some(
        (field) =>
          field.kind === 'Field' &&
          field.name.value.startsWith('__') &&
          field.name.value !== '__typename',
      );
      if (introspects) {
        refuse('Introspection does not change with the story: ask it without `@live`.');
        return;
      }
      const cost = costErrors(args);
      if (cost.length) {
        setResultAndStopExecution({ errors: cost });
        return;
      }
      const directive = args.schema.getDirective('live');
      const values = directive
        ? getDirectiveValues(directive, operation, args.variableValues ?? {})
        : undefined;
      const key = JSON.stringify([
        args.document.loc?.source.body ?? print(args.document),
        args.operationName ?? null,
        args.variableValues ?? {},
        context.viewer.role,
        stream?.kind ?? 'iterator',
      ]);
      setExecuteFn((executionArgs) =>
        live.join(
          {
            key,
            throttleMs: clampThrottle(values?.throttle),
            // A fresh context each run: per-request loaders must not answer from an earlier run.
            execute: () => executeFn({ ...executionArgs, contextValue: { ...base } }),
            tags: (data) => answerTags(args.schema, args.document, data),
            ...(context.viewer.expiresAt ? { expiresAt: context.viewer.expiresAt } : {}),
          },
          stream,
        ),
      );
    },
  };
}
