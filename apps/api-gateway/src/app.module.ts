import { DynamicModule, Inject, Injectable, Module, OnApplicationShutdown, Provider } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { HealthIndicatorService } from '@nestjs/terminus';
import { ThrottlerModule } from '@nestjs/throttler';
import { DevSessionSigner, TokenVerifier } from '@smartbeak/auth';
import { splitList } from '@smartbeak/config';
import { MessageKeys, type RedisClient, createRedis, rpcClientProvider } from '@smartbeak/messaging';
import { GATEWAY_NAME } from '@smartbeak/contracts';
import { HealthModule, loggingModule, RedisMemoryWatch, redisReadinessCheck } from '@smartbeak/observability';

import { EventDeadLettersController } from './admin/event-dead-letters.controller';
import { AnalyticsController } from './analytics/analytics.controller';
import { SeoController } from './seo/seo.controller';
import { UsageMeter } from './analytics/usage-meter';
import { AuditLogsController } from './audit-logs/audit-logs.controller';
import { ContentController } from './content/content.controller';
import { GatewayConfig } from './config/gateway.config';
import { DevSessionController } from './dev/dev-session.controller';
import { DomainsController } from './domains/domains.controller';
import { ApiHealthController } from './health/api-health.controller';
import { MeController } from './me/me.controller';
import { MediaController } from './media/media.controller';
import { LiveStreams } from './live/live-streams';
import { ControlPlaneCache } from './rpc/control-plane-cache';
import { NotificationsController } from './notifications/notifications.controller';
import { PublishingController } from './publishing/publishing.controller';
import { ProblemFilter } from './problem/problem.filter';
import { RateLimitedAuthGuard } from './rate-limit/auth-failure.guard';
import { RedisPressureGuard } from './rate-limit/redis-pressure.guard';
import { RedisThrottlerStorage } from './rate-limit/redis-throttler.storage';
import { UserThrottlerGuard } from './rate-limit/user-throttler.guard';
import { DEV_SESSION_SIGNER, GATEWAY_CONFIG, GATEWAY_REDIS } from './gateway.tokens';
import { GatewayRpc } from './rpc/gateway-rpc';
import { ClerkWebhookController } from './webhooks/clerk-webhook.controller';

/** Closes the gateway's own Redis connection (rate limits, readiness) on shutdown. */
@Injectable()
class GatewayRedisCloser implements OnApplicationShutdown {
  constructor(@Inject(GATEWAY_REDIS) private readonly redis: RedisClient) {}
  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}

@Module({})
export class AppModule {
  static register(config: GatewayConfig): DynamicModule {
    const redis = createRedis(config.REDIS_URL, {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      lazyConnect: true,
    });
    redis.on('error', () => undefined); // surfaced by /health/ready and the limiter's fail-open log
    void redis.connect().catch(() => undefined);

    const memory = new RedisMemoryWatch(redis, config.REDIS_MEMORY_HIGH_WATER);
    const throttlerStorage = new RedisThrottlerStorage(redis, config.REDIS_PREFIX);
    // In order: no new work while Redis is nearly full, then who is asking (bad tokens per address
    // limited before they are checked), then how often.
    const guards: Provider[] = [
      { provide: APP_GUARD, useClass: RedisPressureGuard },
      { provide: APP_GUARD, useClass: RateLimitedAuthGuard },
    ];
    if (config.RATE_LIMIT_PER_MINUTE > 0) guards.push({ provide: APP_GUARD, useClass: UserThrottlerGuard });
    // Local development without Clerk: the dev key signs console sessions and verifies every token.
    const devSessions = config.DEV_SESSION_KEY
      ? new DevSessionSigner(config.DEV_SESSION_KEY.replace(/\\n/g, '\n'))
      : null;

    return {
      module: AppModule,
      imports: [
        // /metrics is not here: it is served on METRICS_PORT, never on the public port (bootstrap.ts).
        loggingModule({ service: 'api-gateway', level: config.LOG_LEVEL }),
        HealthModule.register({
          inject: [HealthIndicatorService],
          useFactory: (indicators: HealthIndicatorService) => [
            redisReadinessCheck(indicators, redis, memory),
          ],
        }),
        ThrottlerModule.forRoot({
          throttlers: [{ name: 'default', ttl: 60_000, limit: config.RATE_LIMIT_PER_MINUTE }],
          storage: throttlerStorage,
        }),
      ],
      controllers: [
        ApiHealthController,
        MeController,
        DomainsController,
        AuditLogsController,
        ClerkWebhookController,
        ContentController,
        PublishingController,
        MediaController,
        NotificationsController,
        EventDeadLettersController,
        AnalyticsController,
        SeoController,
        ...(devSessions ? [DevSessionController] : []),
      ],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        ...(devSessions ? [{ provide: DEV_SESSION_SIGNER, useValue: devSessions }] : []),
        { provide: GATEWAY_REDIS, useValue: redis },
        // A provider too, for its shutdown hook: the hits it counted go to Redis before the gateway stops.
        { provide: RedisThrottlerStorage, useValue: throttlerStorage },
        GatewayRedisCloser,
        { provide: RedisMemoryWatch, useValue: memory },
        // The gateway signs its requests and mints the user contexts services trust.
        {
          provide: MessageKeys,
          useFactory: () =>
            MessageKeys.parse(GATEWAY_NAME, config.MESSAGE_SIGNING_KEY, config.MESSAGE_TRUSTED_KEYS),
        },
        rpcClientProvider({
          redisUrl: config.REDIS_URL,
          prefix: config.REDIS_PREFIX,
          timeoutMs: config.RPC_TIMEOUT_MS,
        }),
        GatewayRpc,
        ControlPlaneCache,
        LiveStreams,
        // Counts each authenticated request (analytics' api.requests); attached to Fastify in bootstrap.ts.
        UsageMeter,
        {
          provide: TokenVerifier,
          useFactory: () =>
            new TokenVerifier({
              jwtKey: config.CLERK_JWT_KEY?.replace(/\\n/g, '\n') ?? devSessions?.publicKeyPem(),
              secretKey: config.CLERK_SECRET_KEY,
              apiUrl: config.CLERK_API_URL,
              authorizedParties: splitList(config.CLERK_AUTHORIZED_PARTIES),
              issuer: config.CLERK_ISSUER,
            }),
        },
        { provide: APP_FILTER, useClass: ProblemFilter },
        ...guards,
      ],
    };
  }
}
