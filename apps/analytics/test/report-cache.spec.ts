// The report cache on the test stack's Redis: a hit until a rollup moves the org's generation.
import { createRedis, type RedisClient } from '@smartbeak/messaging';
import { testInfra, uniqueName } from '@smartbeak/testing';

import { type AnalyticsConfig } from '../src/config/analytics.config';
import { ReportCache } from '../src/reports/report-cache';

describe('ReportCache', () => {
  let redis: RedisClient;
  let cache: ReportCache;

  beforeAll(() => {
    redis = createRedis(testInfra().redisUrl);
    const config = {
      REDIS_PREFIX: uniqueName('reports'),
      ANALYTICS_REPORT_CACHE_TTL_MS: 60_000,
    } as AnalyticsConfig;
    cache = new ReportCache(config, redis);
  });
  afterAll(() => redis?.disconnect());

  it('serves a report from the cache until a rollup invalidates its org, and only its org', async () => {
    let computed = 0;
    const report = (org: string) => cache.get(org, { range: '30d' }, async () => ({ org, run: ++computed }));

    expect(await report('org_a')).toEqual({ org: 'org_a', run: 1 });
    expect(await report('org_a')).toEqual({ org: 'org_a', run: 1 });
    expect(await report('org_b')).toEqual({ org: 'org_b', run: 2 });

    await cache.invalidate(['org_a', 'org_c']);
    expect(await report('org_a')).toEqual({ org: 'org_a', run: 3 });
    expect(await report('org_b')).toEqual({ org: 'org_b', run: 2 });
    await cache.invalidate([]);
    expect(await report('org_a')).toEqual({ org: 'org_a', run: 3 });
  });
});
