import { type BeforeApplicationShutdown, Logger } from '@nestjs/common';
import { type ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import { type RedisClient } from '@smartbeak/messaging';

// Fixed window per key (the throttler is named 'default' so that its headers are plain Retry-After / X-RateLimit-*):
// add the hits, and start the window's clock when they are its first.
const ADD_HITS = `
local hits = redis.call('INCRBY', KEYS[1], ARGV[2])
if hits == tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return { hits, redis.call('PTTL', KEYS[1]) }`;

/** How often the hits counted here are added to Redis (and the other replicas' read back). */
const RATE_LIMIT_SYNC_MS = 200;
/** How often windows that have ended are forgotten. */
const SWEEP_MS = 10_000;

/** One key's window as this replica knows it. */
interface Window {
  /** Hits across every replica, as Redis last answered. */
  total: number;
  /** Hits counted here and not yet added to Redis. */
  pending: number;
  expiresAt: number;
  ttl: number;
}

/**
 * Rate-limit counters in Redis, so that every gateway replica counts the
 * same user's requests together — counted here between visits to Redis.
 *
 * A Redis round trip on every request (it was one EVAL each) cost the
 * gateway more than the rest of a cached read. Instead, a key's first hit in
 * a window, and any hit that would reach the limit by this replica's count,
 * go to Redis and wait for its total; the others are counted in memory and
 * added every RATE_LIMIT_SYNC_MS, each answer bringing back the other
 * replicas' hits. One replica's limit stays exact; with N replicas, a user
 * may get past it by at most what N − 1 of them let through in one sync
 * interval. If Redis fails, requests pass (fail open): an outage of the
 * limiter must not become an outage of the API.
 */
export class RedisThrottlerStorage implements ThrottlerStorage, BeforeApplicationShutdown {
  private readonly logger = new Logger('RateLimit');
  private readonly windows = new Map<string, Window>();
  /** Keys with hits not yet added to Redis. */
  private readonly unsent = new Set<string>();
  private readonly timers: NodeJS.Timeout[];

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {
    this.timers = [
      setInterval(() => void this.sync(), RATE_LIMIT_SYNC_MS).unref(),
      setInterval(() => this.sweep(), SWEEP_MS).unref(),
    ];
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    _blockDuration: number,
    name: string,
  ): Promise<ThrottlerStorageRecord> {
    const id = `${this.prefix}:ratelimit:${name}:${key}`;
    const now = Date.now();
    let window = this.windows.get(id);
    if (window && window.expiresAt <= now) {
      this.windows.delete(id);
      this.unsent.delete(id);
      window = undefined;
    }
    if (window && window.total + window.pending + 1 < limit) {
      window.pending++;
      this.unsent.add(id);
      return recordOf(window.total + window.pending, window.expiresAt - now, limit);
    }
    const hits = (window?.pending ?? 0) + 1;
    if (window) window.pending = 0;
    this.unsent.delete(id);
    try {
      const [total, pttl] = await this.add(id, ttl, hits);
      return recordOf(total, pttl, limit);
    } catch (error) {
      this.logger.warn(`rate limiter unavailable, letting the request through: ${(error as Error).message}`);
      return { totalHits: 0, timeToExpire: 0, isBlocked: false, timeToBlockExpire: 0 };
    }
  }

  /** The hits counted since the last sync go to Redis before the gateway stops. */
  async beforeApplicationShutdown(): Promise<void> {
    this.timers.forEach(clearInterval);
    await this.sync();
  }

  /** Adds `hits` to the key's window in Redis; remembers and returns its total and time left. */
  private async add(id: string, ttl: number, hits: number): Promise<[number, number]> {
    const [total, pttl] = (await this.redis.eval(ADD_HITS, 1, id, ttl, hits)) as [number, number];
    const left = pttl > 0 ? pttl : ttl;
    const window = this.windows.get(id);
    if (window) {
      window.total = total;
      window.expiresAt = Date.now() + left;
    } else {
      this.windows.set(id, { total, pending: 0, expiresAt: Date.now() + left, ttl });
    }
    return [total, left];
  }

  /** Adds every key's unsent hits to Redis (ioredis pipelines the calls of one tick). */
  private async sync(): Promise<void> {
    const sends: Promise<unknown>[] = [];
    for (const id of this.unsent) {
      const window = this.windows.get(id);
      if (!window?.pending) continue;
      const hits = window.pending;
      window.pending = 0;
      sends.push(this.add(id, window.ttl, hits));
    }
    this.unsent.clear();
    const failed = (await Promise.allSettled(sends)).find((sent) => sent.status === 'rejected');
    if (failed) {
      this.logger.warn(`rate limiter unavailable, hits not shared: ${(failed.reason as Error).message}`);
    }
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, window] of this.windows) {
      if (window.expiresAt <= now) {
        this.windows.delete(id);
        this.unsent.delete(id);
      }
    }
  }
}

function recordOf(totalHits: number, msLeft: number, limit: number): ThrottlerStorageRecord {
  const seconds = Math.max(1, Math.ceil(msLeft / 1000));
  const isBlocked = totalHits > limit;
  return { totalHits, timeToExpire: seconds, isBlocked, timeToBlockExpire: isBlocked ? seconds : 0 };
}
