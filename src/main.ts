// The process entry point: the only place that reads the environment, ports and signals.
import { ConfigError, getEnv } from './env.ts';

async function main(): Promise<void> {
  let env: ReturnType<typeof getEnv>;
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
  // Imported after the configuration is known to be valid: opening the database reads it.
  const { createLogger } = await import('./logger.ts');
  const logger = createLogger(env.LOG_LEVEL);
  const { database } = await import('./db.ts');
  const { migrate } = await import('./migrate.ts');
  const { seedStory } = await import('./story/seed.ts');
  const { createStoryApp } = await import('./app.ts');
  const { DEVELOPMENT_SECRET } = await import('./auth.ts');

  try {
    if (env.MIGRATE_ON_START) {
      const report = await migrate(database);
      // Seed only an empty database: on every later start this saves the seed's 30-odd upserts.
      const empty = (await database.prisma.leader.findFirst({ select: { id: true } })) === null;
      const seeded = empty ? await seedStory(database.prisma) : { created: 0 };
      logger.info(
        {
          database: database.kind,
          location: database.location,
          migrationsApplied: report.applied,
          seedRowsCreated: seeded.created,
        },
        'database ready',
      );
    }

    if (!env.JWT_SECRET) {
      logger.warn('JWT_SECRET is not set: using the development secret (refused in production)');
    }
    const app = createStoryApp({
      auth: { secret: env.JWT_SECRET ?? DEVELOPMENT_SECRET, anonymousReads: env.ANONYMOUS_READS },
      redisUrl: env.REDIS_URL,
      pollMs: env.FEED_POLL_MS,
      bufferCap: env.SUBSCRIPTION_BUFFER,
      logger,
      database,
      limits: {
        maxRequestBytes: env.MAX_REQUEST_BYTES,
        maxSubscriptionsPerSocket: env.MAX_SUBSCRIPTIONS_PER_SOCKET,
        maxSocketsPerAddress: env.MAX_SOCKETS_PER_ADDRESS,
        trustProxy: env.TRUST_PROXY,
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
    process.once('SIGTERM', () => void stop('SIGTERM'));
    process.once('SIGINT', () => void stop('SIGINT'));
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
