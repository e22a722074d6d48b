import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { Context } from '../context.ts';

/**
 * Logs one line per GraphQL operation: request id, operation name and type, duration, outcome and
 * error codes. Variables, headers and tokens are never logged.
 */
export function useRequestLog(logger: Logger): Plugin<Context> {
  const describe = (args: {
    document: Parameters<typeof getOperationAST>[0];
    operationName?: string | null;
  }) => {
    const operation = getOperationAST(args.document, args.operationName);
    return {
      operation: operation?.name?.value ?? args.operationName ?? 'anonymous',
      type: operation?.operation ?? 'unknown',
    };
  };
  return {
    onExecute({ args }) {
      const started = performance.now();
      const { operation, type } = describe(args);
      const context = args.contextValue as Context;
      return {
        onExecuteDone({ result }) {
          const errors = 'errors' in result && result.errors ? result.errors : [];
          const codes = errors.map((error) => String(error.extensions?.code ?? 'UNKNOWN'));
          const line = {
            requestId: context.requestId,
            operation,
            type,
            role: context.viewer.role,
            durationMs: Math.round((performance.now() - started) * 100) / 100,
            outcome: codes.length ? 'error' : 'ok',
            ...(codes.length ? { errorCodes: codes } : {}),
          };
          if (codes.includes('INTERNAL_SERVER_ERROR')) logger.error(line, 'operation failed');
          else logger.info(line, 'operation');
        },
      };
    },
    onSubscribe({ args }) {
      const { operation } = describe(args);
      const context = args.contextValue as Context;
      logger.info(
        {
          requestId: context.requestId,
          operation,
          type: 'subscription',
          role: context.viewer.role,
        },
        'subscription started',
      );
    },
  };
}
