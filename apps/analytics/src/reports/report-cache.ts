import { createHash } from 'node:crypto';

import { Inject, Injectable, Logger } from '@nestjs/common';
import { type RedisClient } from '@smartbeak/messaging';
import { SERVICE_CONFIG, SERVICE_REDIS } from '@smartbeak/runtime';

import { type AnalyticsConfig } from '../config/analytics.config';

/**
 * Hot reports' pre-aggregated part, cached in Redis for
 * ANALYTICS_REPORT_CACHE_TTL_MS. Each org has a generation (a field of one
 * hash, so a rollup moves many orgs' in one round trip, on a Redis Cluster
 * too); every key of an old generation is never read again (it expires by
 * its TTL). Redis down: no cache.
 */
@Injectable()
export class ReportCache {
  private readonly logger = new Logger(ReportCache.name);

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: AnalyticsConfig,
    @Inject(SERVICE_REDIS) private readonly redis: RedisClient,
  ) {}

  private get generationsKey(): string {
    return `${this.config.REDIS_PREFIX}:analytics:generations`;
  }

  async get<T>(orgId: string, query: unknown, compute: () => Promise<T>): Promise<T> {
    const ttl = this.config.ANALYTICS_REPORT_CACHE_TTL_MS;
    if (!ttl) return compute();
    const hash = createHash('sha256').update(JSON.stringify(query)).digest('base64url');
    let key: string | undefined;
    try {
      const generation = (await this.redis.hget(this.generationsKey, orgId)) ?? '0';
      key = `${this.config.REDIS_PREFIX}:analytics:report:${orgId}:${generation}:${hash}`;
      const hit = await this.redis.get(key);
      if (hit) return JSON.parse(hit) as T;
    } catch (error) {
      this.logger.warn(`Report cache unavailable: ${(error as Error).message}`);
      return compute();
    }
    const value = await compute();
    await this.redis.set(key, JSON.stringify(value), 'PX', ttl).catch(() => undefined);
    return value;
  }

  /** The orgs' cached reports are stale: a rollup changed their figures. */
  async invalidate(orgIds: string[]): Promise<void> {
    if (!orgIds.length) return;
    const pipeline = this.redis.pipeline();
    for (const orgId of orgIds) pipeline.hincrby(this.generationsKey, orgId, 1);
    await pipeline.exec();
  }
}
