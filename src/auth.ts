import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { ErrorCode, userError } from './errors.ts';

/** The roles a token can carry, weakest first. */
export const ROLES = ['reader', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is making a request. */
export interface Viewer {
  role: Role | 'anonymous';
  /** The token's subject, when it has one. */
  subject?: string;
  /** When the token stops being valid (ms since epoch), if it says. */
  expiresAt?: number;
}

/** The viewer of a request without a token. */
export const ANONYMOUS: Viewer = { role: 'anonymous' };

/**
 * A secret for development only, so that `npm start` and `npm run token` work out of the box.
 * `env.ts` refuses to start in production without a real `JWT_SECRET`.
 */
export const DEVELOPMENT_SECRET = 'storygraph-development-secret-do-not-use-in-production';

const ALGORITHM = 'HS256';

/** Why a token was refused; `expired` lets transports tell clients to fetch a new one. */
export type TokenProblem = 'expired' | 'invalid';

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

/** Verifies an HS256 token and reads its role. Throws {@link TokenError}. */
export async function verifyToken(token: string, secret: string): Promise<Viewer> {
  let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
  try {
    ({ payload } = await jwtVerify(token, new TextEncoder().encode(secret), {
      algorithms: [ALGORITHM],
    }));
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired)
      throw new TokenError('expired', 'The token has expired.');
    throw new TokenError('invalid', 'The token is not valid.');
  }
  const role = payload.role;
  if (typeof role !== 'string' || !ROLES.includes(role as Role)) {
    throw new TokenError('invalid', `The token's role must be one of ${ROLES.join(', ')}.`);
  }
  return {
    role: role as Role,
    ...(payload.sub ? { subject: payload.sub } : {}),
    ...(payload.exp ? { expiresAt: payload.exp * 1000 } : {}),
  };
}

/** Signs a token for `role`, valid for `expiresIn` (a jose duration such as `12h`). */
export async function signToken(
  role: Role,
  secret: string,
  options: { subject?: string; expiresIn?: string | number } = {},
): Promise<string> {
  let jwt = new SignJWT({ role }).setProtectedHeader({ alg: ALGORITHM }).setIssuedAt();
  if (options.subject) jwt = jwt.setSubject(options.subject);
  if (options.expiresIn !== undefined) jwt = jwt.setExpirationTime(options.expiresIn);
  return jwt.sign(new TextEncoder().encode(secret));
}

/** Reads a bearer token from an `Authorization` header value; undefined when absent. */
export function bearerToken(header: string | null | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new TokenError('invalid', 'The Authorization header must be "Bearer <token>".');
  return match[1];
}

/**
 * Resolves the viewer of an HTTP request or a WebSocket connection. A missing token is an
 * anonymous reader; a bad one is refused rather than silently downgraded, so a client with a
 * broken token finds out at once.
 */
export async function viewerFromToken(token: string | undefined, secret: string): Promise<Viewer> {
  if (!token) return ANONYMOUS;
  try {
    return await verifyToken(token, secret);
  } catch (error) {
    if (error instanceof TokenError) {
      throw userError(ErrorCode.UNAUTHENTICATED, error.message, {
        reason: error.problem,
        http: { status: 401 },
      });
    }
    throw error;
  }
}
