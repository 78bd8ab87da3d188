import { type DynamicModule, Module } from '@nestjs/common';
import { jobSchedules, serviceQueues, ServiceRuntimeModule } from '@smartbeak/runtime';

import { type AnalyticsConfig, SERVICE_NAME } from './config/analytics.config';
import { analyticsDatabaseOptions } from './database/schema';
import { RawEventsSystem } from './ingest/raw-events.system';
import { UsageBatcher } from './ingest/usage-batcher';
import { MaintenanceProcessor } from './queues/maintenance.processor';
import { MAINTENANCE_QUEUE, RETENTION_JOB, ROLLUP_JOB } from './queues/queues';
import { readDatabaseProviders } from './reports/read-database';
import { ReportCache } from './reports/report-cache';
import { ReportsHandler } from './reports/reports.handler';
import { ReportsService } from './reports/reports.service';
import { RetentionSystem } from './rollups/retention.system';
import { RollupLag } from './rollups/rollup-lag';
import { RollupsSystem } from './rollups/rollups.system';

@Module({})
export class AppModule {
  static register(config: AnalyticsConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ...serviceQueues(config, [MAINTENANCE_QUEUE]),
        ServiceRuntimeModule.register({
          service: SERVICE_NAME,
          config,
          database: analyticsDatabaseOptions(config.DATABASE_URL, config.DATABASE_POOL_SIZE),
        }),
      ],
      controllers: [ReportsHandler],
      providers: [
        ...readDatabaseProviders,
        ReportCache,
        ReportsService,
        RawEventsSystem,
        UsageBatcher,
        RollupsSystem,
        RollupLag,
        RetentionSystem,
        MaintenanceProcessor,
        jobSchedules(MAINTENANCE_QUEUE, [
          { name: ROLLUP_JOB, everyMs: config.ANALYTICS_ROLLUP_EVERY_MS },
          { name: RETENTION_JOB, everyMs: config.ANALYTICS_MAINTENANCE_EVERY_MS },
        ]),
      ],
    };
  }
}
