import { type INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import { runService } from '@smartbeak/runtime';
import {
  freePort,
  messageKeyring,
  type MigratedTestDatabase,
  migratedTestDatabase,
  testInfra,
  uniqueName,
} from '@smartbeak/testing';

import { AppModule } from '../src/app.module';
import { AnalyticsConfig, SERVICE_NAME } from '../src/config/analytics.config';
import { analyticsDatabaseOptions } from '../src/database/schema';

describe(`${SERVICE_NAME} process`, () => {
  let db: MigratedTestDatabase;
  let app: INestApplication | void;

  beforeAll(async () => {
    db = await migratedTestDatabase('analytics_health', analyticsDatabaseOptions, { migrate: false });
  });
  afterAll(async () => {
    await app?.close();
    await db.drop();
  });

  it('migrates with `main.js migrate`, then serves /health/ready on a real database and Redis', async () => {
    const port = await freePort();
    const options = {
      service: SERVICE_NAME,
      config: AnalyticsConfig,
      env: {
        DATABASE_URL: db.url,
        REDIS_URL: testInfra().redisUrl,
        REDIS_PREFIX: uniqueName('analytics'),
        // Every process signs its messages (README § Trust boundaries).
        ...messageKeyring([SERVICE_NAME]).env(SERVICE_NAME),
        HTTP_PORT: String(port),
        LOG_LEVEL: 'silent',
        // The rollup waits: this spec reads its lag.
        ANALYTICS_ROLLUP_EVERY_MS: '3600000',
      },
      module: (config: AnalyticsConfig) => AppModule.register(config),
      database: (config: { DATABASE_URL: string }) => analyticsDatabaseOptions(config.DATABASE_URL),
    };
    await runService(options, ['migrate']);
    app = await runService(options, []);
    const ready = await fetch(`http://127.0.0.1:${port}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual(expect.objectContaining({ status: 'ok' }));

    // The rollup lag: none, then an hour that ended two hours ago still waits for its rollup.
    const lag = async () => {
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      return Number(/^smartbeak_analytics_rollup_lag_seconds (\S+)$/m.exec(metrics)?.[1]);
    };
    expect(await lag()).toBe(0);
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query(
        `INSERT INTO rollup_dirty (tier, bucket) VALUES ('hour', date_trunc('hour', now(), 'UTC') - interval '3 hours')`,
      );
    } finally {
      await client.end();
    }
    const seconds = await lag();
    expect(seconds).toBeGreaterThanOrEqual(2 * 3600);
    expect(seconds).toBeLessThan(3 * 3600);
  });
});
