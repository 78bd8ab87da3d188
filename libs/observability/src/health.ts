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
): ReadinessCheck {
  return async () => {
    const indicator = indicators.check('redis');
    try {
      await redis.ping();
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  };
}
