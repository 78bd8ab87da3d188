import { Injectable, type OnModuleInit } from '@nestjs/common';
import { metricsRegistry } from '@smartbeak/observability';
import { Database } from '@smartbeak/persistence';
import { Gauge } from 'prom-client';

/**
 * How far the rollups are behind, read from the database at each scrape (so
 * it grows even while the rollup job is stuck): seconds since the end of the
 * oldest finished hour still marked dirty; 0 when none is. Reports miss a
 * finished hour until it is rolled up: alert when this passes a few rollup
 * periods (docs/analytics.md § Rollups).
 */
@Injectable()
export class RollupLag implements OnModuleInit {
  constructor(private readonly db: Database) {}

  onModuleInit(): void {
    const db = this.db;
    metricsRegistry.removeSingleMetric('smartbeak_analytics_rollup_lag_seconds');
    new Gauge({
      name: 'smartbeak_analytics_rollup_lag_seconds',
      help: 'Seconds since the end of the oldest finished hour whose rollup has not run (0: none)',
      registers: [metricsRegistry],
      async collect() {
        const row = await db
          .one<{ lag: number | null }>(
            `SELECT extract(epoch FROM now() - (min(bucket) + interval '1 hour'))::float8 AS lag
               FROM rollup_dirty WHERE tier = 'hour' AND bucket < date_trunc('hour', now(), 'UTC')`,
          )
          .catch(() => undefined);
        this.set(Math.max(0, row?.lag ?? 0));
      },
    });
  }
}
