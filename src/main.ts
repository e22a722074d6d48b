// The process entry point: the only place that reads the environment, ports and signals.
import { openDatabase } from './infra/db.ts';
import { ConfigError, type Env, getEnv } from './infra/env.ts';
import { createLogger } from './infra/logger.ts';
import { migrate } from './infra/migrate.ts';

/**
 * The rest of the server: Yoga, the schema and the story layer. Imported, not loaded up front, so
 * that the database opens and migrates while these modules load (the statically imported ones
 * above stay clear of the GraphQL stack for that reason).
 */
const loadServer = () =>
  Promise.all([import('./app.ts'), import('./core/auth.ts'), import('./story/seed.ts')]).then(
    ([app, auth, seed]) => ({
      createStoryApp: app.createStoryApp,
      resolveSecret: auth.resolveSecret,
      seedIfEmpty: seed.seedIfEmpty,
    }),
  );

async function main(): Promise<void> {
  let env: Env;
  try {
    env = getEnv();
  } catch (error) {
    if (error instanceof ConfigError) {
      // Before a logger exists: one plain message naming every bad variable.
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }

  const started = performance.now();
  const logger = createLogger(env.LOG_LEVEL);
  // The process's database, handed to the app, which uses it for everything; closed on exit.
  const database = openDatabase(env);
  const loading = loadServer();
  // Awaited below; a database that fails first is the error to report, not this one.
  loading.catch(() => {});
  try {
    // Opens the database (the embedded one: copy its cluster, start PGlite) while the rest loads.
    const report = env.MIGRATE_ON_START ? await migrate(database) : undefined;
    const { createStoryApp, resolveSecret, seedIfEmpty } = await loading;
    if (report) {
      const seeded = await seedIfEmpty(database.prisma);
      logger.info(
        {
          database: database.kind,
          location: database.location,
          migrationsApplied: report.applied,
          seedEventsWritten: seeded.events,
        },
        'database ready',
      );
    }

    const { secret, file } = resolveSecret(env);
    if (file) {
      logger.warn(
        { file },
        'JWT_SECRET is not set: tokens are signed with a secret generated for this data directory (npm run token uses it too)',
      );
    }
    const app = createStoryApp({
      auth: {
        secret,
        anonymousReads: env.ANONYMOUS_READS,
        issuer: env.JWT_ISSUER,
        audience: env.JWT_AUDIENCE,
        maxLifetimeSeconds: env.JWT_MAX_LIFETIME,
      },
      redisUrl: env.REDIS_URL,
      pollMs: env.FEED_POLL_MS,
      bufferCap: env.SUBSCRIPTION_BUFFER,
      responseCache: env.RESPONSE_CACHE && { maxBytes: env.RESPONSE_CACHE_MB * 1024 * 1024 },
      asOf: { every: env.AS_OF_CHECKPOINT_EVERY, cacheMb: env.AS_OF_CACHE_MB },
      operations: {
        persistedOnly: env.PERSISTED_ONLY,
        manifestPath: env.PERSISTED_OPERATIONS_FILE,
        batchingLimit: env.BATCHING_LIMIT,
      },
      logger,
      database,
      limits: {
        maxRequestBytes: env.MAX_REQUEST_BYTES,
        maxSubscriptionsPerSocket: env.MAX_SUBSCRIPTIONS_PER_SOCKET,
        maxSocketsPerAddress: env.MAX_SOCKETS_PER_ADDRESS,
        maxSseStreamsPerAddress: env.MAX_SSE_STREAMS_PER_ADDRESS,
        trustProxy: env.TRUST_PROXY,
        storyAfterWaitMs: env.STORY_AFTER_WAIT_MS,
      },
      exposure: {
        corsOrigins: env.CORS_ORIGINS,
        graphiql: env.GRAPHIQL,
        introspection: env.INTROSPECTION,
      },
    });
    const port = await app.listen(env.PORT, env.HOST);
    const shownHost = env.HOST === '0.0.0.0' ? 'localhost' : env.HOST;
    logger.info(
      {
        port,
        database: database.kind,
        pubsub: app.pubsub.kind,
        startupMs: Math.round(performance.now() - started),
      },
      `storygraph ready: http://${shownHost}:${port}/graphql`,
    );

    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'closing');
      try {
        await app.close();
        await database.close();
        logger.info('closed');
        process.exit(0);
      } catch (error) {
        logger.error({ err: error }, 'error while closing');
        process.exit(1);
      }
    };
    // `on`, not `once`: Ctrl-C under `npm start` delivers SIGINT twice (from the terminal to the
    // whole process group, and again from npm, which forwards it), and a second signal must not
    // fall through to Node's default of exiting at once, halfway through closing.
    process.on('SIGTERM', () => void stop('SIGTERM'));
    process.on('SIGINT', () => void stop('SIGINT'));
  } catch (error) {
    logger.fatal({ err: error }, error instanceof Error ? error.message : 'start-up failed');
    await database.close().catch(() => {});
    process.exit(1);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
