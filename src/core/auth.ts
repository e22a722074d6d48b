import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { ErrorCode, userError } from './errors.ts';

/**
 * Who is asking, decided here for every transport: HTTP and SSE requests (the `Authorization`
 * header) and graphql-ws connections (`connection_init`) go through the same rules.
 */

/** The roles a token can carry, weakest first. */
export const ROLES = ['reader', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is making a request. */
export interface Viewer {
  role: Role | 'anonymous';
  /** The token's subject, when it has one. */
  subject?: string;
  /** When the token stops being valid (ms since epoch). */
  expiresAt?: number;
}

/** The viewer of a request without a token. */
export const ANONYMOUS: Viewer = { role: 'anonymous' };

const ALGORITHM = 'HS256';

/**
 * How far a token's `iat` may lie in the future, in seconds: clocks of the issuer and this server
 * drift a little, but a token "issued" ten years ahead would otherwise slip past the lifetime cap.
 */
export const CLOCK_SKEW_SECONDS = 30;

/** How requests are authenticated. */
export interface AuthOptions {
  /** The HS256 secret tokens are signed with. */
  secret: string;
  /** Whether queries and subscriptions work without a token. @default true */
  anonymousReads?: boolean;
  /** Tokens must name this issuer (`iss`). @default not checked */
  issuer?: string;
  /** Tokens must name this audience (`aud`). @default not checked */
  audience?: string;
  /** The longest a token may be valid from its issue (`exp - iat`), in seconds. @default no cap */
  maxLifetimeSeconds?: number;
}

/** Why a token was refused; `expired` tells clients to fetch a new one. */
export type TokenProblem = 'expired' | 'invalid' | 'missing';

/** A token that can not be used. */
export class TokenError extends Error {
  override name = 'TokenError';
  constructor(
    readonly problem: TokenProblem,
    message: string,
  ) {
    super(message);
  }
}

// Handed raw bytes, jose imports them as a key on every verification; a profile of the write
// path showed that import in every request. The key is imported once and kept with its secret
// (a process has one secret; a test that switches secrets imports again).
let verifying: { secret: string; key: Promise<CryptoKey> } | undefined;
function verifyKey(secret: string): Promise<CryptoKey> {
  if (verifying?.secret !== secret) {
    const key = crypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['verify'],
    );
    verifying = { secret, key };
  }
  return verifying.key;
}

/** Verifies an HS256 token against `options` and reads its role. Throws {@link TokenError}. */
export async function verifyToken(token: string, options: AuthOptions): Promise<Viewer> {
  let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
  try {
    ({ payload } = await jwtVerify(token, await verifyKey(options.secret), {
      algorithms: [ALGORITHM],
      // A token without an expiry would be valid forever.
      requiredClaims: options.maxLifetimeSeconds ? ['exp', 'iat'] : ['exp'],
      ...(options.issuer ? { issuer: options.issuer } : {}),
      ...(options.audience ? { audience: options.audience } : {}),
    }));
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) {
      throw new TokenError('expired', 'The token has expired.');
    }
    if (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === 'exp') {
      throw new TokenError('invalid', 'The token must have an expiry (`exp`).');
    }
    throw new TokenError('invalid', 'The token is not valid.');
  }
  const { role, exp, iat } = payload;
  if (typeof role !== 'string' || !ROLES.includes(role as Role)) {
    throw new TokenError('invalid', `The token's role must be one of ${ROLES.join(', ')}.`);
  }
  const now = Math.floor(Date.now() / 1000);
  if (typeof iat === 'number' && iat > now + CLOCK_SKEW_SECONDS) {
    throw new TokenError(
      'invalid',
      `The token is issued in the future (\`iat\` more than ${CLOCK_SKEW_SECONDS} s ahead of this server's clock).`,
    );
  }
  // The cap holds from now as well as from `iat`: a future `iat` within the skew buys nothing.
  if (
    options.maxLifetimeSeconds &&
    ((exp as number) - (iat as number) > options.maxLifetimeSeconds ||
      (exp as number) - now > options.maxLifetimeSeconds + CLOCK_SKEW_SECONDS)
  ) {
    throw new TokenError(
      'invalid',
      `The token is valid for longer than this server allows (${options.maxLifetimeSeconds} s).`,
    );
  }
  return {
    role: role as Role,
    ...(payload.sub ? { subject: payload.sub } : {}),
    expiresAt: (exp as number) * 1000,
  };
}

/** Signs a token for `role`, valid for `expiresIn` (a jose duration such as `12h`). */
export async function signToken(
  role: Role,
  secret: string,
  options: {
    subject?: string;
    expiresIn?: string | number;
    issuer?: string;
    audience?: string;
  } = {},
): Promise<string> {
  let jwt = new SignJWT({ role })
    .setProtectedHeader({ alg: ALGORITHM })
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '12h');
  if (options.subject) jwt = jwt.setSubject(options.subject);
  if (options.issuer) jwt = jwt.setIssuer(options.issuer);
  if (options.audience) jwt = jwt.setAudience(options.audience);
  return jwt.sign(new TextEncoder().encode(secret));
}

/**
 * Reads a bearer token from an `Authorization` value (a header, or the `authorization` field of
 * a graphql-ws `connection_init`); undefined when absent.
 */
export function bearerToken(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const match = typeof value === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(value) : null;
  if (!match) throw new TokenError('invalid', 'The Authorization value must be "Bearer <token>".');
  return match[1];
}

/** The token of a graphql-ws `connection_init`: `{ authorization: 'Bearer …' }` or `{ token }`. */
export function connectionToken(params: Record<string, unknown> | undefined): string | undefined {
  if (!params) return undefined;
  const header = params.authorization ?? params.Authorization;
  if (header !== undefined) return bearerToken(header);
  if (params.token === undefined || params.token === '') return undefined;
  if (typeof params.token !== 'string')
    throw new TokenError('invalid', '"token" must be a string.');
  return params.token;
}

/**
 * Decides who the viewer is from a token (or its absence). A missing token is an anonymous reader
 * where anonymous reads are allowed; a bad token is refused rather than silently downgraded, so a
 * client with a broken token finds out at once. Throws {@link TokenError}.
 */
export async function viewerOf(token: string | undefined, options: AuthOptions): Promise<Viewer> {
  if (token) return verifyToken(token, options);
  if (options.anonymousReads ?? true) return ANONYMOUS;
  throw new TokenError('missing', 'This server needs a bearer token for every request.');
}

/** The viewer of an HTTP request; UNAUTHENTICATED (HTTP 401) when its token is refused. */
export async function viewerOfRequest(request: Request, options: AuthOptions): Promise<Viewer> {
  try {
    return await viewerOf(bearerToken(request.headers.get('authorization')), options);
  } catch (error) {
    if (!(error instanceof TokenError)) throw error;
    throw userError(ErrorCode.UNAUTHENTICATED, error.message, {
      reason: error.problem,
      http: { status: 401 },
    });
  }
}

/** Where a generated secret is kept, beside the data it protects. */
export function secretFile(dataDir: string): string {
  return join(resolve(dataDir), 'jwt-secret');
}

/**
 * The secret tokens are signed with: `JWT_SECRET` when set; otherwise one generated at random
 * for this data directory and kept in it (mode 600), so that `npm start` works out of the box and
 * `npm run token` signs with the same secret, while nobody who merely read this repository can.
 */
export function resolveSecret(env: { JWT_SECRET?: string; DATA_DIR: string }): {
  secret: string;
  /** The file a generated secret is kept in; absent when `JWT_SECRET` is set. */
  file?: string;
} {
  if (env.JWT_SECRET) return { secret: env.JWT_SECRET };
  const file = secretFile(env.DATA_DIR);
  try {
    const stored = readFileSync(file, 'utf8').trim();
    if (stored.length >= 32) return { secret: stored, file };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(resolve(env.DATA_DIR), { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { secret, file };
}
