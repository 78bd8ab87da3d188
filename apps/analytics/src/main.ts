import 'reflect-metadata';

import { runService } from '@smartbeak/runtime';

import { AppModule } from './app.module';
import { AnalyticsConfig, SERVICE_NAME } from './config/analytics.config';
import { analyticsDatabaseOptions } from './database/schema';

// `main.js` serves RPC (and /health, /metrics); `main.js migrate` migrates its database.
runService({
  service: SERVICE_NAME,
  config: AnalyticsConfig,
  module: (config) => AppModule.register(config),
  database: (config) => analyticsDatabaseOptions(config.DATABASE_URL, config.DATABASE_POOL_SIZE),
}).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
