import 'reflect-metadata';

import { runService } from '@smartbeak/runtime';

import { AppModule } from './app.module';
import { SeoConfig, SERVICE_NAME } from './config/seo.config';
import { seoDatabaseOptions } from './database/schema';

// `main.js` serves RPC (and /health, /metrics); `main.js migrate` migrates its database.
runService({
  service: SERVICE_NAME,
  config: SeoConfig,
  module: (config) => AppModule.register(config),
  database: (config) => seoDatabaseOptions(config.DATABASE_URL, config.DATABASE_POOL_SIZE),
}).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
