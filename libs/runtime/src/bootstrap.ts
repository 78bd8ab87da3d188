import { type DynamicModule, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type ServiceConfig } from '@smartbeak/config';
import { RedisRpcServer, RpcErrorFilter } from '@smartbeak/messaging';
import { migrate, revertLastMigration } from '@smartbeak/persistence';
import { Logger } from 'nestjs-pino';
import pino from 'pino';
import { type DataSourceOptions } from 'typeorm';

export interface ServiceBootstrapOptions {
  service: string;
  config: ServiceConfig;
  module: DynamicModule;
  dataSource: DataSourceOptions;
}

/**
 * The entry of every service: `main.js` serves (RPC over Redis plus HTTP
 * for /health and /metrics); `main.js migrate` applies pending migrations
 * and exits; `main.js migrate:down` reverts the latest one.
 */
export async function runService(
  options: ServiceBootstrapOptions,
  argv = process.argv.slice(2),
): Promise<INestApplication | void> {
  const log = pino({ base: { service: options.service }, level: options.config.LOG_LEVEL });
  if (argv[0] === 'migrate') {
    const applied = await migrate(options.dataSource);
    log.info(
      { applied },
      applied.length ? `applied ${applied.length} migration(s)` : 'database is up to date',
    );
    return;
  }
  if (argv[0] === 'migrate:down') {
    await revertLastMigration(options.dataSource);
    log.info('reverted the latest migration');
    return;
  }

  const app = await NestFactory.create(options.module, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  app.useGlobalFilters(new RpcErrorFilter());
  app.connectMicroservice(
    {
      strategy: new RedisRpcServer({
        redisUrl: options.config.REDIS_URL,
        prefix: options.config.REDIS_PREFIX,
        service: options.service,
        concurrency: options.config.RPC_CONCURRENCY,
      }),
    },
    // Hybrid apps pass global filters to their RPC side only when told to.
    { inheritAppConfig: true },
  );
  await app.startAllMicroservices();
  await app.listen(options.config.HTTP_PORT, '0.0.0.0');
  const address = app.getHttpServer().address() as { port: number };
  log.info(
    { httpPort: address.port },
    `${options.service} is serving RPC and http://127.0.0.1:${address.port}/health/ready`,
  );
  return app;
}
