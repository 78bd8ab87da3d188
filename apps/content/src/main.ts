import 'reflect-metadata';

import { systemScope } from '@smartbeak/persistence';
import { runService } from '@smartbeak/runtime';

import { AppModule } from './app.module';
import { ContentConfig, SERVICE_NAME } from './config/content.config';
import { contentDatabaseOptions } from './database/schema';
import { rebuildReadModel } from './rebuild/read-model.system';

runService({
  service: SERVICE_NAME,
  config: ContentConfig,
  module: (config) => AppModule.register(config),
  database: (config) => contentDatabaseOptions(config.DATABASE_URL, config.DATABASE_POOL_SIZE),
  commands: {
    // `main.js rebuild-read-model [--check]`: see rebuild/read-model.system.ts.
    'rebuild-read-model': async (database, args, log) => {
      const result = await rebuildReadModel(systemScope('read-model rebuild'), database, {
        check: args.includes('--check'),
      });
      log.info(result, result.applied ? 'read model rebuilt from the event store' : 'read model checked');
      if (!result.applied && result.differences > 0) process.exitCode = 1;
    },
  },
}).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
