import {
  Controller,
  DynamicModule,
  FactoryProvider,
  Get,
  Inject,
  Module,
  Provider,
  SetMetadata,
} from '@nestjs/common';
import { PUBLIC_ROUTE_METADATA } from '@smartbeak/contracts';

import { type RedisMemoryWatch } from './redis-memory';
import { ApiExcludeController } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorResult,
  HealthIndicatorService,
  TerminusModule,
} from '@nestjs/terminus';

/** A readiness probe: resolves when the dependency answers, throws when it does not. */
export type ReadinessCheck = () => Promise<HealthIndicatorResult>;

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

@ApiExcludeController()
@SetMetadata(PUBLIC_ROUTE_METADATA, true)
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[],
  ) {}

  /** The process is up and its event loop turns. */
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Every dependency (database, Redis, …) answers. */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check(this.checks);
  }
}

/**
 * `/health/live` and `/health/ready` for any process. `checks` is a provider
 * of `ReadinessCheck[]` built from the process's own connections.
 */
@Module({})
export class HealthModule {
  static register(checks: Omit<FactoryProvider<ReadinessCheck[]>, 'provide'>): DynamicModule {
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController],
      providers: [{ ...checks, provide: READINESS_CHECKS } as Provider],
    };
  }
}

/** A readiness check that pings Redis through the given connection. */
export function redisReadinessCheck(
  indicators: HealthIndicatorService,
  redis: { ping(): Promise<unknown> },
  memory?: RedisMemoryWatch,
): ReadinessCheck {
  return async () => {
    const indicator = indicators.check('redis');
    try {
      await redis.ping();
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
    // Past the high-water mark: not ready for new work (nothing is evicted; see RedisMemoryWatch).
    const ratio = memory ? await memory.ratio().catch(() => 0) : 0;
    if (memory && ratio > memory.highWater) {
      return indicator.down({ message: 'Redis memory is past its high-water mark', memoryRatio: ratio });
    }
    return indicator.up();
  };
}
