import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { CommonError } from '@smartbeak/contracts';
import { DomainError } from '@smartbeak/errors';
import { RedisMemoryWatch } from '@smartbeak/observability';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** What a refused client is told to wait: long enough for queues to drain. */
const RETRY_AFTER_SECONDS = 30;

/**
 * New work is refused with 503 (and Retry-After) while Redis is past its
 * high-water mark, before it fills: a write accepted now would need room to
 * queue its jobs and events, and Redis never evicts (`noeviction`). Reads go
 * on. Webhook senders (Clerk, storage) retry a 503, so they lose nothing either.
 */
@Injectable()
export class RedisPressureGuard implements CanActivate {
  constructor(@Inject(RedisMemoryWatch) private readonly memory: RedisMemoryWatch) {}

  /** Synchronous for a read (nothing to ask): Nest waits only on a guard that returns a promise. */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const { method } = context.switchToHttp().getRequest<{ method: string }>();
    return READS.has(method) || this.roomForWrites();
  }

  private async roomForWrites(): Promise<boolean> {
    // Redis unreachable is not "full": the RPC itself will answer 503 then.
    if (await this.memory.overHighWater().catch(() => false)) {
      throw new DomainError(
        CommonError.SERVICE_UNAVAILABLE,
        'The platform is at capacity and takes no new work for a moment; retry after the time in Retry-After',
        undefined,
        { retryAfter: RETRY_AFTER_SECONDS },
      );
    }
    return true;
  }
}
