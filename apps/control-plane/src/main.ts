import 'reflect-metadata';

import { loadConfig } from '@smartbeak/config';
import { runService } from '@smartbeak/runtime';

import { AppModule } from './app.module';
import { ControlPlaneConfig, SERVICE_NAME } from './config/control-plane.config';
import { controlPlaneDataSourceOptions } from './database/schema';

const config = loadConfig(ControlPlaneConfig);

runService({
  service: SERVICE_NAME,
  config,
  module: AppModule.register(config),
  dataSource: controlPlaneDataSourceOptions(config.DATABASE_URL, config.DATABASE_POOL_SIZE),
}).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
