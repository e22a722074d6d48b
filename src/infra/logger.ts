import type { YogaLogger } from 'graphql-yoga';
import { type Logger, pino } from 'pino';
import { ErrorCode, maskError } from '../core/errors.ts';

/** Log levels `LOG_LEVEL` accepts. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Bytes of log lines gathered before one write to stdout. */
const LOG_BUFFER_BYTES = 8 * 1024;
/** The longest a line waits in that buffer on a quiet server. */
const LOG_FLUSH_MS = 100;

/**
 * The process's structured logger: one JSON object per line on stdout. Header and variable values
 * never reach it (see the redaction list), so a token or a sensitive variable can not leak.
 * Lines are gathered and written together (8 KB, or every 100 ms), not one write per request:
 * under load the per-line write was one of the largest costs of a simple query. What is gathered
 * is written on exit, a crash included (pino flushes its buffer synchronously then).
 */
export function createLogger(level: LogLevel = 'info'): Logger {
  const destination = pino.destination({ sync: false, minLength: LOG_BUFFER_BYTES });
  setInterval(() => destination.flush(), LOG_FLUSH_MS).unref();
  return pino(
    {
      level,
      base: { service: 'storygraph' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          'authorization',
          'headers.authorization',
          'variables',
          'token',
          'connectionParams',
          '*.password',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

/** Adapts a pino logger to the interface Yoga logs through. */
export function yogaLogger(logger: Logger): YogaLogger {
  const forward =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...args: unknown[]) => {
      const [first, ...rest] = args;
      const code = first instanceof Error ? clientErrorCode(first) : undefined;
      // A client's mistake (bad JSON, an oversized body, invalid input) is not the server's
      // failure: one info line with its code, no stack trace to alarm an operator.
      if (code) logger.info({ code }, `client error: ${(first as Error).message}`);
      else if (first instanceof Error) logger[level]({ err: first }, first.message);
      else logger[level]({ details: rest.length ? rest : undefined }, String(first));
    };
  return {
    debug: forward('debug'),
    info: forward('info'),
    warn: forward('warn'),
    error: forward('error'),
  };
}

/** The code a client sees for `error`, when it is the client's mistake rather than the server's. */
function clientErrorCode(error: Error): string | undefined {
  const code = (maskError(error, '') as { extensions?: { code?: unknown } }).extensions?.code;
  return typeof code === 'string' &&
    code !== ErrorCode.INTERNAL_SERVER_ERROR &&
    code !== ErrorCode.SERVICE_UNAVAILABLE
    ? code
    : undefined;
}
