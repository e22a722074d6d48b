// The process entry point: the only place that reads the environment, ports and signals.
import { ConfigError, getEnv } from './env.ts';

async function main(): Promise<void> {
  let env: ReturnType<typeof getEnv>;
  try {
    env = getEnv();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }

  const started = performance.now();
  // Imported after the configuration is known to be valid: opening the database reads it.
  const { database } = await import('./db.ts');
  const { migrate } = await import('./migrate.ts');
  const { seedStory } = await import('./story/seed.ts');
  const { createStoryApp } = await import('./app.ts');
  const { DEVELOPMENT_SECRET } = await import('./auth.ts');

  if (env.MIGRATE_ON_START) {
    const report = await migrate(database);
    // Seed only an empty database: on every later start this saves the seed's 30-odd upserts.
    const empty = (await database.prisma.leader.findFirst({ select: { id: true } })) === null;
    const seeded = empty ? await seedStory(database.prisma) : { created: 0 };
    console.info(
      `database ${database.kind} at ${database.location}: ${report.applied.length} migration(s) applied, ${seeded.created} seed row(s) created`,
    );
  }

  if (!env.JWT_SECRET) {
    console.warn('JWT_SECRET is not set: using the development secret (refused in production)');
  }
  const app = createStoryApp({
    auth: { secret: env.JWT_SECRET ?? DEVELOPMENT_SECRET, anonymousReads: env.ANONYMOUS_READS },
    redisUrl: env.REDIS_URL,
    pollMs: env.FEED_POLL_MS,
    bufferCap: env.SUBSCRIPTION_BUFFER,
  });
  const port = await app.listen(env.PORT, env.HOST);
  const shownHost = env.HOST === '0.0.0.0' ? 'localhost' : env.HOST;
  console.info(
    `storygraph ready in ${Math.round(performance.now() - started)} ms: http://${shownHost}:${port}/graphql`,
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.info(`${signal} received, closing`);
    try {
      await app.close();
      await database.close();
      process.exit(0);
    } catch (error) {
      console.error('error while closing', error);
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
