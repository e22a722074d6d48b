import { z } from 'zod';
import { DEFAULT_AS_OF, DEFAULT_LIMITS } from './limit-defaults.ts';
import { LOG_LEVELS } from './logger.ts';

const boolean = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', ''])
    .optional()
    .transform((value) =>
      value === undefined || value === '' ? fallback : value === 'true' || value === '1',
    );

const optionalUrl = (protocols: string[]) =>
  z
    .string()
    .optional()
    .transform((value) => (value?.trim() ? value.trim() : undefined))
    .refine(
      (value) => {
        if (value === undefined) return true;
        try {
          return protocols.includes(new URL(value).protocol);
        } catch {
          return false;
        }
      },
      { message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
    );

/** `true`/`false` with no default of its own: the caller decides from other variables. */
const optionalBoolean = z
  .enum(['true', 'false', '1', '0', ''])
  .optional()
  .transform((value) =>
    value === undefined || value === '' ? undefined : value === 'true' || value === '1',
  );

const count = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

/** `*`, or a comma-separated list of origins such as `https://a.example,https://b.example`. */
const corsOrigins = z
  .string()
  .optional()
  .transform((value, ctx): '*' | string[] => {
    const text = value?.trim() || '*';
    if (text === '*') return '*';
    const origins = text
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    for (const origin of origins) {
      let parsed: URL | undefined;
      try {
        parsed = new URL(origin);
      } catch {}
      if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.origin !== origin) {
        ctx.addIssue({
          code: 'custom',
          message: `"${origin}" is not an origin such as https://news.example (scheme, host and port only)`,
        });
      }
    }
    return origins;
  });

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: optionalUrl(['postgres:', 'postgresql:']),
  DATA_DIR: z.string().min(1).default('./data'),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  MIGRATE_ON_START: boolean(true),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  JWT_SECRET: z
    .string()
    .optional()
    .transform((value) => (value?.trim() ? value : undefined))
    .refine((value) => value === undefined || value.length >= 32, {
      message: 'must be at least 32 characters (HS256 needs a long random secret)',
    }),
  ANONYMOUS_READS: boolean(true),
  JWT_ISSUER: z
    .string()
    .optional()
    .transform((value) => value?.trim() || undefined),
  JWT_AUDIENCE: z
    .string()
    .optional()
    .transform((value) => value?.trim() || undefined),
  JWT_MAX_LIFETIME: z.coerce.number().int().min(60).max(31_536_000).optional(),
  REDIS_URL: optionalUrl(['redis:', 'rediss:']),
  SUBSCRIPTION_BUFFER: z.coerce.number().int().min(10).max(100_000).default(1000),
  FEED_POLL_MS: z.coerce.number().int().min(100).max(60_000).default(2000),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  MAX_REQUEST_BYTES: count(1024, 100 * 1024 * 1024, DEFAULT_LIMITS.maxRequestBytes),
  MAX_SUBSCRIPTIONS_PER_SOCKET: count(1, 100_000, DEFAULT_LIMITS.maxSubscriptionsPerSocket),
  MAX_SOCKETS_PER_ADDRESS: count(1, 1_000_000, DEFAULT_LIMITS.maxSocketsPerAddress),
  MAX_SSE_STREAMS_PER_ADDRESS: count(1, 1_000_000, DEFAULT_LIMITS.maxSseStreamsPerAddress),
  TRUST_PROXY: boolean(DEFAULT_LIMITS.trustProxy),
  STORY_AFTER_WAIT_MS: count(0, 60_000, DEFAULT_LIMITS.storyAfterWaitMs),
  RESPONSE_CACHE: boolean(true),
  RESPONSE_CACHE_MB: count(1, 4096, 64),
  AS_OF_CHECKPOINT_EVERY: count(10, 1_000_000, DEFAULT_AS_OF.every),
  AS_OF_CACHE_MB: count(1, 4096, DEFAULT_AS_OF.cacheMb),
  CORS_ORIGINS: corsOrigins,
  // Unset: on, except with NODE_ENV=production (see loadEnv).
  GRAPHIQL: optionalBoolean,
  INTROSPECTION: optionalBoolean,
  PERSISTED_ONLY: boolean(false),
  PERSISTED_OPERATIONS_FILE: z.string().min(1).default('persisted-operations.json'),
  // Off by default; a small cap keeps one request from carrying a flood of operations.
  BATCHING_LIMIT: z.coerce.number().int().min(0).max(20).default(0),
});

/** Every environment variable the server reads (docs/configuration.md lists each). */
export const CONFIG_VARIABLES = Object.keys(schema.shape) as (keyof typeof schema.shape)[];

/** The validated configuration of one process. */
export type Env = Omit<z.infer<typeof schema>, 'GRAPHIQL' | 'INTROSPECTION'> & {
  GRAPHIQL: boolean;
  INTROSPECTION: boolean;
};

/** A configuration value that can not be used. `message` names every bad variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads and validates the configuration from an environment (by default `process.env`).
 * Throws a {@link ConfigError} listing every bad variable, so start-up stops with one message.
 */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = schema
    .superRefine((env, ctx) => {
      // A development default secret is fine on a laptop and fatal in production.
      if (env.NODE_ENV === 'production' && !env.JWT_SECRET) {
        ctx.addIssue({
          code: 'custom',
          path: ['JWT_SECRET'],
          message: 'is required when NODE_ENV=production',
        });
      }
    })
    .safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (issue) => `  ${issue.path.join('.') || '(environment)'}: ${issue.message}`,
    );
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const development = parsed.data.NODE_ENV !== 'production';
  return {
    ...parsed.data,
    GRAPHIQL: parsed.data.GRAPHIQL ?? development,
    INTROSPECTION: parsed.data.INTROSPECTION ?? development,
  };
}

let cached: Env | undefined;

/** The configuration of this process, parsed from `process.env` once. */
export function getEnv(): Env {
  cached ??= loadEnv();
  return cached;
}
