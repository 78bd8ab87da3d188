import { type DynamicModule, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfig, ServiceConfig } from '@smartbeak/config';
import { RedisRpcServer, RpcErrorFilter } from '@smartbeak/messaging';
import { migrate, revertLastMigration } from '@smartbeak/persistence';
import { Logger } from 'nestjs-pino';
import pino from 'pino';
import { type DataSourceOptions } from 'typeorm';

export interface ServiceBootstrapOptions<C extends ServiceConfig> {
  service: string;
  /** The service's env schema; `migrate` reads only the common part (no S3 keys needed to migrate). */
  config: new () => C;
  module: (config: C) => DynamicModule;
  dataSource: (config: ServiceConfig) => DataSourceOptions;
  /** Tests pass their own; the process environment otherwise. */
  env?: Record<string, string | undefined>;
}

/**
 * The entry of every service: `main.js` serves (RPC over Redis plus HTTP
 * for /health and /metrics); `main.js migrate` applies pending migrations
 * and exits; `main.js migrate:down` reverts the latest one.
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
      await revertLastMigration(options.dataSource(base));
      log.info('reverted the latest migration');
      return;
    }
    const applied = await migrate(options.dataSource(base));
    log.info(
      { applied },
      applied.length ? `applied ${applied.length} migration(s)` : 'database is up to date',
    );
    return;
  }
  const config = loadConfig(options.config, env);
  const log = pino({ base: { service: options.service }, level: config.LOG_LEVEL });
  const app = await NestFactory.create(options.module(config), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  app.useGlobalFilters(new RpcErrorFilter());
  app.connectMicroservice(
    {
      strategy: new RedisRpcServer({
        redisUrl: config.REDIS_URL,
        prefix: config.REDIS_PREFIX,
        service: options.service,
        concurrency: config.RPC_CONCURRENCY,
      }),
    },
    // Hybrid apps pass global filters to their RPC side only when told to.
    { inheritAppConfig: true },
  );
  await app.startAllMicroservices();
  await app.listen(config.HTTP_PORT, '0.0.0.0');
  const address = app.getHttpServer().address() as { port: number };
  log.info(
    { httpPort: address.port },
    `${options.service} is serving RPC and http://127.0.0.1:${address.port}/health/ready`,
  );
  return app;
}
