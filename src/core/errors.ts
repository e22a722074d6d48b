import { GraphQLError } from 'graphql';
import { createGraphQLError, maskError as yogaMaskError } from 'graphql-yoga';
import type { Prisma } from '../generated/prisma/client.ts';

/** The codes a client can see in `extensions.code`. Anything else is masked. */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  SLOW_CONSUMER: 'SLOW_CONSUMER',
  /** A per-connection limit (operations on one WebSocket) is reached; finish some first. */
  LIMIT_EXCEEDED: 'LIMIT_EXCEEDED',
  /** An ingested article's analysis ran past its time budget; nothing was stored. */
  ANALYSIS_TIMEOUT: 'ANALYSIS_TIMEOUT',
  /** The database can not be reached right now (restarting, down, out of connections); retry. */
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** An expected failure that a client should see as it is. */
export function userError(
  code: ErrorCode,
  message: string,
  extensions: Record<string, unknown> = {},
): GraphQLError {
  return createGraphQLError(message, { extensions: { code, ...extensions } });
}

/** Shorthand for the most common case: the client sent something we can not use. */
export function badInput(message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return userError(ErrorCode.BAD_USER_INPUT, message, extensions);
}

/**
 * The fields of the unique constraint a P2002 broke. Prisma's native engine gave them in
 * `meta.target`; through a driver adapter (Prisma 7) the constraint comes as
 * `driverAdapterError.cause.constraint`, with `fields` or only the index name, which Prisma
 * spells `<Model>_<field>[_<field>…]_key`.
 */
function uniqueFields(error: Prisma.PrismaClientKnownRequestError): string[] {
  const meta = (error.meta ?? {}) as {
    target?: string[] | string;
    modelName?: string;
    driverAdapterError?: {
      cause?: { constraint?: { fields?: string[]; index?: string }; table?: string };
    };
  };
  if (Array.isArray(meta.target)) return meta.target;
  if (typeof meta.target === 'string') return [meta.target];
  const constraint = meta.driverAdapterError?.cause?.constraint;
  if (constraint?.fields?.length) return constraint.fields.map((field) => field.replace(/"/g, ''));
  const index = constraint?.index;
  if (!index) return [];
  // A raw statement's error names the table rather than the model (they are the same here).
  const model = meta.modelName ?? meta.driverAdapterError?.cause?.table;
  const prefix = model ? `${model}_` : '';
  const bare = index.startsWith(prefix) ? index.slice(prefix.length) : index;
  return bare.replace(/_key$/, '').split('_').filter(Boolean);
}

function prismaCode(error: Prisma.PrismaClientKnownRequestError): GraphQLError | undefined {
  // A raw statement that failed (P2010) carries the driver's kind: the same failures as below.
  const kind = (error.meta as { driverAdapterError?: { cause?: { kind?: string } } } | undefined)
    ?.driverAdapterError?.cause?.kind;
  const code =
    error.code === 'P2010'
      ? ({ UniqueConstraintViolation: 'P2002', ForeignKeyConstraintViolation: 'P2003' }[
          kind ?? ''
        ] ?? error.code)
      : error.code;
  switch (code) {
    case 'P2025':
      return userError(
        ErrorCode.NOT_FOUND,
        'The record does not exist (it may have been deleted).',
      );
    case 'P2002': {
      const fields = uniqueFields(error);
      const what = fields.length ? fields.join(' and ') : 'unique value';
      return userError(ErrorCode.CONFLICT, `Another record already has this ${what}.`, {
        fields,
      });
    }
    case 'P2003':
      return userError(ErrorCode.BAD_USER_INPUT, 'A referenced record does not exist.');
    default:
      return undefined;
  }
}

/** Yoga's own codes for a request it can not read, mapped into our closed set (the HTTP status stays). */
const YOGA_REQUEST_CODES: Record<string, ErrorCode> = {
  REQUEST_ENTITY_TOO_LARGE: ErrorCode.BAD_USER_INPUT,
  BAD_REQUEST: ErrorCode.BAD_USER_INPUT,
};

/**
 * Turns what a resolver threw into what a client sees: our coded errors pass unchanged, known
 * Prisma and Pothos failures get a code, and everything else is masked by Yoga.
 */
export function maskError(error: unknown, message: string, isDev?: boolean): Error {
  const original = isGraphQLError(error) ? (error.originalError ?? error) : error;
  const located = isGraphQLError(error) ? error : undefined;
  const withLocation = (mapped: GraphQLError) =>
    new GraphQLError(mapped.message, {
      nodes: located?.nodes,
      path: located?.path,
      extensions: mapped.extensions,
    });
  if (isGraphQLError(original) && typeof original.extensions?.code === 'string') {
    const code = YOGA_REQUEST_CODES[original.extensions.code];
    // Yoga marks these `spec`, which makes it answer 200 to a client accepting application/json;
    // a body that is not JSON (or missing) is a bad request whatever the client accepts: 400.
    if (code) {
      const http = original.extensions.http as { status?: number } | undefined;
      return userError(code, original.message, { http: { status: http?.status ?? 400 } });
    }
    return original === error ? original : withLocation(original);
  }
  const mapped = mapKnownError(original);
  if (mapped) return withLocation(mapped);
  // Never development mode: a client must not see stack traces, even on a laptop. The server logs
  // the original error instead.
  void isDev;
  return yogaMaskError(error, message, false);
}

// Errors are recognised by name and shape rather than `instanceof`: a bundler or test runner can
// load a second copy of graphql, Pothos or the Prisma runtime, and `instanceof` then fails.
function isGraphQLError(error: unknown): error is GraphQLError {
  return error instanceof Error && 'extensions' in error && 'path' in error;
}

function mapKnownError(error: unknown): GraphQLError | undefined {
  if (!(error instanceof Error)) return undefined;
  if (isDatabaseUnavailable(error)) return unavailable();
  switch (error.name) {
    case 'PothosValidationError':
      return badInput(error.message);
    case 'PrismaClientKnownRequestError':
      return prismaCode(error as Prisma.PrismaClientKnownRequestError);
    case 'PrismaClientValidationError':
      return badInput('The request could not be applied to the data model.');
    default:
      return undefined;
  }
}

/** The database is down or restarting: a coded, retryable error with HTTP 503, not a 500. */
function unavailable(): GraphQLError {
  return userError(
    ErrorCode.SERVICE_UNAVAILABLE,
    'The database can not be reached right now; try again shortly.',
    { http: { status: 503 } },
  );
}

/** Whether `error` means the database can not be reached right now (down, restarting, full). */
export function isDatabaseUnavailable(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error.name === 'PrismaClientInitializationError' || isConnectionFailure(error))
  );
}

// Prisma's codes for a database that can not be reached, timed out, closed the connection, or has
// no connection to spare.
const CONNECTION_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2037']);
// SQLSTATEs the server sends while it shuts down or starts up, and connection exceptions (08…).
const UNAVAILABLE_STATES = /^(08...|57P0[1-3]|53300)$/;
// What `pg` throws, without a code, when the server goes away under a connection.
const DRIVER_MESSAGES =
  /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect|Client was closed)/;
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND']);

function isConnectionFailure(error: Error): boolean {
  const known = error as Error & {
    code?: unknown;
    meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } };
  };
  if (error.name === 'PrismaClientKnownRequestError') {
    if (CONNECTION_CODES.has(String(known.code))) return true;
    const state = known.meta?.driverAdapterError?.cause?.originalCode;
    return typeof state === 'string' && UNAVAILABLE_STATES.test(state);
  }
  if (typeof known.code === 'string' && SOCKET_CODES.has(known.code)) return true;
  if (DRIVER_MESSAGES.test(error.message)) return true;
  // Inside an interactive transaction the driver adapter's own error can surface unwrapped, with
  // PostgreSQL's SQLSTATE in a plain-object cause (57P01 when the server shuts down under it).
  const cause = error.cause as { originalCode?: unknown } | undefined;
  if (
    error.name === 'DriverAdapterError' &&
    typeof cause?.originalCode === 'string' &&
    UNAVAILABLE_STATES.test(cause.originalCode)
  ) {
    return true;
  }
  // Prisma wraps what it does not recognise; look at the cause it kept.
  return error.cause instanceof Error && error.cause !== error && isConnectionFailure(error.cause);
}
