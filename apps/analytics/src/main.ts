import 'reflect-metadata';

import { systemScope } from '@smartbeak/persistence';
import { runService } from '@smartbeak/runtime';

import { AppModule } from './app.module';
import { AnalyticsConfig, SERVICE_NAME } from './config/analytics.config';
import { analyticsDatabaseOptions } from './database/schema';
import { RawEventsSystem } from './ingest/raw-events.system';
import { RetentionSystem } from './rollups/retention.system';
import { RollupsSystem } from './rollups/rollups.system';

const OPERATOR = systemScope('analytics command: an operator catching up by hand');

// `main.js` serves RPC (and /health, /metrics) and ingests; `main.js migrate` migrates its database;
// `main.js rollup` rolls every dirty bucket up now; `main.js retention` makes partitions and applies retention.
runService({
  service: SERVICE_NAME,
  config: AnalyticsConfig,
  module: (config) => AppModule.register(config),
  database: (config) => analyticsDatabaseOptions(config.DATABASE_URL, config.DATABASE_POOL_SIZE),
  commands: {
    rollup: async (database, _args, log) => {
      const started = Date.now();
      const result = await new RollupsSystem(database).run(OPERATOR);
      log.info({ ...result, orgs: result.orgs.length, ms: Date.now() - started }, 'rollup done');
    },
    retention: async (database, args, log) => {
      const rollups = new RollupsSystem(database);
      const result = await new RetentionSystem(database, new RawEventsSystem(database), rollups).run(
        OPERATOR,
        Number(args[0] ?? 3),
      );
      log.info(result, 'retention done');
    },
  },
}).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
