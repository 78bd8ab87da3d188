import 'reflect-metadata';

import { runService } from '@smartbeak/runtime';

import { AppModule } from './app.module';
import { ControlPlaneConfig, SERVICE_NAME } from './config/control-plane.config';
import { controlPlaneDatabaseOptions } from './database/schema';

runService({
  service: SERVICE_NAME,
  config: ControlPlaneConfig,
  module: (config) => AppModule.register(config),
  database: (config) => controlPlaneDatabaseOptions(config.DATABASE_URL, config.DATABASE_POOL_SIZE),
}).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
