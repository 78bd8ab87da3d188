import 'reflect-metadata';

import { runService } from '@smartbeak/runtime';

import { AppModule } from './app.module';
import { NotificationsConfig, SERVICE_NAME } from './config/notifications.config';
import { notificationsDatabaseOptions } from './database/schema';

// `main.js` serves RPC (and /health, /metrics); `main.js migrate` migrates its database.
runService({
  service: SERVICE_NAME,
  config: NotificationsConfig,
  module: (config) => AppModule.register(config),
  database: (config) => notificationsDatabaseOptions(config.DATABASE_URL, config.DATABASE_POOL_SIZE),
}).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
