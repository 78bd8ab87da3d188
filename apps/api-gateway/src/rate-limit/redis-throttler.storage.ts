import { Logger } from '@nestjs/common';
import { type ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import { type RedisClient } from '@smartbeak/messaging';

// Fixed window per key (the throttler is named 'default' so that its headers are plain Retry-After / X-RateLimit-*): INCR, and start the window's clock on the first hit.
const INCREMENT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return { hits, redis.call('PTTL', KEYS[1]) }`;

/**
 * Rate-limit counters in Redis, so that every gateway replica counts the
 * same user's requests together. If Redis fails, requests pass (fail open):
 * an outage of the limiter must not become an outage of the API.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger('RateLimit');

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    _blockDuration: number,
    name: string,
  ): Promise<ThrottlerStorageRecord> {
    try {
      const [hits, pttl] = (await this.redis.eval(
        INCREMENT,
        1,
        `${this.prefix}:ratelimit:${name}:${key}`,
        ttl,
      )) as [number, number];
      const seconds = Math.max(1, Math.ceil(pttl / 1000));
      const isBlocked = hits > limit;
      return {
        totalHits: hits,
        timeToExpire: seconds,
        isBlocked,
        timeToBlockExpire: isBlocked ? seconds : 0,
      };
    } catch (error) {
      this.logger.warn(`rate limiter unavailable, letting the request through: ${(error as Error).message}`);
      return { totalHits: 0, timeToExpire: 0, isBlocked: false, timeToBlockExpire: 0 };
    }
  }
}
