import 'reflect-metadata';

import { runService } from '@smartbeak/runtime';

import { AppModule } from './app.module';
import { MediaConfig, SERVICE_NAME } from './config/media.config';
import { mediaDatabaseOptions } from './database/schema';

runService({
  service: SERVICE_NAME,
  config: MediaConfig,
  module: (config) => AppModule.register(config),
  database: (config) => mediaDatabaseOptions(config.DATABASE_URL, config.DATABASE_POOL_SIZE),
}).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
