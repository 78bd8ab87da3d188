import { createHash } from 'node:crypto';

import { Inject, Injectable, Logger } from '@nestjs/common';
import { SERVICE_CONFIG, SERVICE_REDIS } from '@smartbeak/runtime';

import { type AnalyticsConfig } from '../config/analytics.config';
import { type RedisClient } from '@smartbeak/messaging';

/**
 * Hot reports' pre-aggregated part, cached in Redis for
 * ANALYTICS_REPORT_CACHE_TTL_MS. Each org has a generation; a rollup that
 * changes an org's figures moves it, and every key of the old generation
 * is never read again (it expires by its TTL). Redis down: no cache.
 */
@Injectable()
export class ReportCache {
  private readonly logger = new Logger(ReportCache.name);

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: AnalyticsConfig,
    @Inject(SERVICE_REDIS) private readonly redis: RedisClient,
  ) {}

  private generationKey(orgId: string): string {
    return `${this.config.REDIS_PREFIX}:analytics:generation:${orgId}`;
  }

  async get<T>(orgId: string, query: unknown, compute: () => Promise<T>): Promise<T> {
    const ttl = this.config.ANALYTICS_REPORT_CACHE_TTL_MS;
    if (!ttl) return compute();
    const hash = createHash('sha256').update(JSON.stringify(query)).digest('base64url');
    let key: string | undefined;
    try {
      const generation = (await this.redis.get(this.generationKey(orgId))) ?? '0';
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
    // One command per key (not a pipeline): on a Redis Cluster the orgs' keys live in different slots.
    await Promise.all(orgIds.map((orgId) => this.redis.incr(this.generationKey(orgId))));
  }
}
