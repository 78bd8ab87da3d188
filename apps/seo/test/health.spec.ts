import { type INestApplication } from '@nestjs/common';
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
import { SeoConfig, SERVICE_NAME } from '../src/config/seo.config';
import { seoDatabaseOptions } from '../src/database/schema';

describe(`${SERVICE_NAME} process`, () => {
  let db: MigratedTestDatabase;
  let app: INestApplication | void;

  beforeAll(async () => {
    db = await migratedTestDatabase('seo_health', seoDatabaseOptions, { migrate: false });
  });
  afterAll(async () => {
    await app?.close();
    await db.drop();
  });

  it('migrates with `main.js migrate`, then serves /health/ready on a real database and Redis', async () => {
    const port = await freePort();
    const options = {
      service: SERVICE_NAME,
      config: SeoConfig,
      env: {
        DATABASE_URL: db.url,
        REDIS_URL: testInfra().redisUrl,
        REDIS_PREFIX: uniqueName('seo'),
        // Every process signs its messages (README § Trust boundaries).
        ...messageKeyring([SERVICE_NAME]).env(SERVICE_NAME),
        SEO_ENCRYPTION_KEYS: `test:${Buffer.alloc(32, 7).toString('base64')}`,
        HTTP_PORT: String(port),
        LOG_LEVEL: 'silent',
      },
      module: (config: SeoConfig) => AppModule.register(config),
      database: (config: { DATABASE_URL: string }) => seoDatabaseOptions(config.DATABASE_URL),
    };
    await runService(options, ['migrate']);
    app = await runService(options, []);
    const ready = await fetch(`http://127.0.0.1:${port}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual(expect.objectContaining({ status: 'ok' }));
  });
});
