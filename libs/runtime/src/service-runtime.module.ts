import {
  Controller,
  DynamicModule,
  Inject,
  Injectable,
  Logger,
  Module,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { MessagePattern } from '@nestjs/microservices';
import { ServiceConfig } from '@smartbeak/config';
import { healthPingPattern } from '@smartbeak/contracts';
import { DomainAccess } from '@smartbeak/auth';
import {
  DEFAULT_OUTBOX_SOURCE,
  EventDeadLetters,
  MessageKeys,
  OutboxRelay,
  type OutboxSource,
  type RedisClient,
  RpcClient,
  createRedis,
  rpcClientProvider,
} from '@smartbeak/messaging';
import {
  HealthModule,
  loggingModule,
  MetricsModule,
  ReadinessCheck,
  RedisMemoryWatch,
  redisReadinessCheck,
} from '@smartbeak/observability';
import { Database, forPooler } from '@smartbeak/persistence';
import { DataSource, DataSourceOptions } from 'typeorm';

import { deadLetterHandler } from './dead-letters';
import { SERVICE_CONFIG, SERVICE_REDIS } from './tokens';

export { SERVICE_CONFIG, SERVICE_REDIS } from './tokens';

export interface ServiceRuntimeOptions {
  service: string;
  config: ServiceConfig;
  database: DataSourceOptions;
  /** Run the outbox relay in this process (default true). */
  relay?: boolean;
  /** Tables the relay reads (default: the `outbox` table alone). */
  relaySources?: OutboxSource[];
  /** More readiness checks (object storage, …), beside the database and Redis. */
  readiness?: ReadinessCheck[];
}

const RELAY_SOURCES = Symbol('RELAY_SOURCES');

/** Runs the outbox relay (one per source table) for as long as the process lives. */
@Injectable()
class OutboxRelayHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('OutboxRelay');
  private relays: OutboxRelay[] = [];

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    private readonly database: Database,
    private readonly keys: MessageKeys,
    @Inject(RELAY_SOURCES) private readonly sources: OutboxSource[],
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.relays = this.sources.map(
      (source) =>
        new OutboxRelay({
          source,
          database: this.database,
          // A transaction pooler cannot carry LISTEN: a direct URL, or polling alone.
          listenUrl:
            this.config.DATABASE_LISTEN_URL ??
            (this.config.DATABASE_POOLER === 'none' ? this.config.DATABASE_URL : undefined),
          redisUrl: this.config.REDIS_URL,
          prefix: this.config.REDIS_PREFIX,
          keys: this.keys,
          pollMs: this.config.OUTBOX_POLL_MS,
          onError: (error) => this.logger.warn(`outbox relay (${source.table}): ${(error as Error).message}`),
        }),
    );
    await Promise.all(this.relays.map((relay) => relay.start()));
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.relays.map((relay) => relay.stop()));
  }
}

/** Closes the service's general-purpose Redis connection with the application. */
@Injectable()
class ServiceRedisCloser implements OnApplicationShutdown {
  constructor(@Inject(SERVICE_REDIS) private readonly redis: RedisClient) {}
  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}

/** Answers the gateway's `/api/health` probe over RPC. */
function pingHandler(service: string): new () => object {
  @Controller()
  class PingHandler {
    @MessagePattern(healthPingPattern(service))
    ping(): { ok: true } {
      return { ok: true };
    }
  }
  return PingHandler;
}

/**
 * What every service process has: JSON logs, its database (TypeORM,
 * migrations only), /metrics, /health/live and /health/ready (database and
 * Redis), and the outbox relay.
 */
@Module({})
export class ServiceRuntimeModule {
  static register(options: ServiceRuntimeOptions): DynamicModule {
    const { config } = options;
    return {
      module: ServiceRuntimeModule,
      global: true,
      imports: [
        loggingModule({ service: options.service, level: config.LOG_LEVEL }),
        TypeOrmModule.forRoot(forPooler(options.database, config.DATABASE_POOLER)),
        MetricsModule,
        HealthModule.register({
          inject: [TypeOrmHealthIndicator, HealthIndicatorService, SERVICE_REDIS],
          useFactory: (
            db: TypeOrmHealthIndicator,
            indicators: HealthIndicatorService,
            redis: RedisClient,
          ): ReadinessCheck[] => [
            () => db.pingCheck('database', { timeout: 2_000 }),
            redisReadinessCheck(
              indicators,
              redis,
              new RedisMemoryWatch(redis, config.REDIS_MEMORY_HIGH_WATER),
            ),
            ...(options.readiness ?? []),
          ],
        }),
      ],
      controllers: [pingHandler(options.service), deadLetterHandler(options.service)],
      providers: [
        { provide: SERVICE_CONFIG, useValue: config },
        {
          provide: MessageKeys,
          useFactory: () =>
            MessageKeys.parse(options.service, config.MESSAGE_SIGNING_KEY, config.MESSAGE_TRUSTED_KEYS),
        },
        {
          provide: SERVICE_REDIS,
          useFactory: () => {
            const redis = createRedis(config.REDIS_URL, {
              lazyConnect: true,
              maxRetriesPerRequest: 1,
              enableOfflineQueue: false,
            });
            redis.on('error', () => undefined); // reported by the readiness probe
            void redis.connect().catch(() => undefined);
            return redis;
          },
        },
        ServiceRedisCloser,
        // The one way a service reaches its tables (TypeORM only opens the pool and migrates).
        {
          provide: Database,
          inject: [getDataSourceToken(), SERVICE_CONFIG],
          useFactory: (dataSource: DataSource, config: ServiceConfig) =>
            Database.of(dataSource, { prepare: config.DATABASE_PREPARED_STATEMENTS }),
        },
        {
          provide: EventDeadLetters,
          inject: [Database],
          useFactory: (database: Database) => new EventDeadLetters(database),
        },
        { provide: RELAY_SOURCES, useValue: options.relaySources ?? [DEFAULT_OUTBOX_SOURCE] },
        ...(options.relay === false ? [] : [OutboxRelayHost]),
        rpcClientProvider({
          redisUrl: config.REDIS_URL,
          prefix: config.REDIS_PREFIX,
          timeoutMs: config.RPC_TIMEOUT_MS,
        }),
        { provide: DomainAccess, inject: [RpcClient], useFactory: (rpc: RpcClient) => new DomainAccess(rpc) },
      ],
      exports: [
        SERVICE_CONFIG,
        SERVICE_REDIS,
        MessageKeys,
        RpcClient,
        DomainAccess,
        Database,
        EventDeadLetters,
      ],
    };
  }
}
