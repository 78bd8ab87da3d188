import { type DynamicModule, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfig, ServiceConfig } from '@smartbeak/config';
import { MessageKeys, RedisRpcServer, RpcErrorFilter } from '@smartbeak/messaging';
import { Database, forPooler, migrate, revertLastMigration } from '@smartbeak/persistence';
import { Logger } from 'nestjs-pino';
import pino from 'pino';
import { DataSource, type DataSourceOptions } from 'typeorm';

export interface ServiceBootstrapOptions<C extends ServiceConfig> {
  service: string;
  /** The service's env schema; `migrate` reads only the common part (no S3 keys needed to migrate). */
  config: new () => C;
  module: (config: C) => DynamicModule;
  /** The service's database options (TypeORM: the pool and the migrations). */
  database: (config: ServiceConfig) => DataSourceOptions;
  /** Tests pass their own; the process environment otherwise. */
  env?: Record<string, string | undefined>;
  /**
   * One-off commands beside `migrate` (`main.js <name> [args]`): each gets
   * the service's database and the remaining arguments, and the process
   * exits when it returns.
   */
  commands?: Record<string, (database: Database, args: string[], log: pino.Logger) => Promise<void>>;
  /** Answer RPC requests (default true); a worker-only process says false. */
  rpc?: boolean;
}

/**
 * Nest closes the app on SIGTERM/SIGINT, then exits; if closing hangs (a
 * queue worker or RPC loop waiting on a Redis that went away), exit anyway
 * after `timeoutMs` instead of lingering until the orchestrator's SIGKILL.
 */
export function exitWhenShutdownHangs(timeoutMs: number, log: pino.Logger): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      setTimeout(() => {
        log.error({ signal, timeoutMs }, 'shutdown did not finish in time; exiting');
        process.exit(1);
      }, timeoutMs).unref();
    });
  }
}

/**
 * The entry of every service: `main.js` serves (RPC over Redis plus HTTP
 * for /health and /metrics); `main.js migrate` applies pending migrations
 * and exits; `main.js migrate:down` reverts the latest one; other
 * commands are the service's own (`options.commands`).
 */
export async function runService<C extends ServiceConfig>(
  options: ServiceBootstrapOptions<C>,
  argv = process.argv.slice(2),
): Promise<INestApplication | void> {
  const env = options.env;
  if (argv[0] === 'migrate' || argv[0] === 'migrate:down') {
    const base = loadConfig(ServiceConfig, env);
    const log = pino({ base: { service: options.service }, level: base.LOG_LEVEL });
    if (argv[0] === 'migrate:down') {
      await revertLastMigration(forPooler(options.database(base), base.DATABASE_POOLER));
      log.info('reverted the latest migration');
      return;
    }
    const applied = await migrate(forPooler(options.database(base), base.DATABASE_POOLER));
    log.info(
      { applied },
      applied.length ? `applied ${applied.length} migration(s)` : 'database is up to date',
    );
    return;
  }
  const command = argv[0] ? options.commands?.[argv[0]] : undefined;
  if (command) {
    const base = loadConfig(ServiceConfig, env);
    const log = pino({ base: { service: options.service, command: argv[0] }, level: base.LOG_LEVEL });
    const dataSource = await new DataSource(
      forPooler(options.database(base), base.DATABASE_POOLER),
    ).initialize();
    try {
      await command(Database.of(dataSource), argv.slice(1), log);
    } finally {
      await dataSource.destroy();
    }
    return;
  }
  if (argv[0]) throw new Error(`Unknown command ${argv[0]}`);
  const config = loadConfig(options.config, env);
  const log = pino({ base: { service: options.service }, level: config.LOG_LEVEL });
  const app = await NestFactory.create(options.module(config), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  exitWhenShutdownHangs(config.SHUTDOWN_TIMEOUT_MS, log);
  app.useGlobalFilters(new RpcErrorFilter());
  if (options.rpc !== false) {
    app.connectMicroservice(
      {
        strategy: new RedisRpcServer({
          redisUrl: config.REDIS_URL,
          prefix: config.REDIS_PREFIX,
          service: options.service,
          concurrency: config.RPC_CONCURRENCY,
          keys: app.get(MessageKeys),
          // Requests in flight may finish within the shutdown budget (the rest of it closes the app).
          drainMs: Math.max(1_000, config.SHUTDOWN_TIMEOUT_MS - 3_000),
        }),
      },
      // Hybrid apps pass global filters to their RPC side only when told to.
      { inheritAppConfig: true },
    );
  }
  await app.startAllMicroservices();
  await app.listen(config.HTTP_PORT, '0.0.0.0');
  const address = app.getHttpServer().address() as { port: number };
  log.info(
    { httpPort: address.port },
    `${options.service} is serving RPC and http://127.0.0.1:${address.port}/health/ready`,
  );
  return app;
}
