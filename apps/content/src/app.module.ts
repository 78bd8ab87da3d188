import { type DynamicModule, Module } from '@nestjs/common';
import { jobSchedules, serviceQueues, ServiceRuntimeModule } from '@smartbeak/runtime';

import { type ContentConfig, SERVICE_NAME } from './config/content.config';
import { CONTENT_RELAY_SOURCES, contentDataSourceOptions } from './database/schema';
import { ContentHandler } from './items/content.handler';
import { ContentService } from './items/content.service';
import { MAINTENANCE_QUEUE, OVERDUE_SWEEP_JOB, RETENTION_JOB } from './jobs/jobs';
import { MaintenanceProcessor } from './jobs/maintenance.processor';

@Module({})
export class AppModule {
  static register(config: ContentConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ...serviceQueues(config, [MAINTENANCE_QUEUE]),
        ServiceRuntimeModule.register({
          service: SERVICE_NAME,
          config,
          dataSource: contentDataSourceOptions(config.DATABASE_URL, config.DATABASE_POOL_SIZE),
          relaySources: CONTENT_RELAY_SOURCES,
        }),
      ],
      controllers: [ContentHandler],
      providers: [
        ContentService,
        MaintenanceProcessor,
        jobSchedules(MAINTENANCE_QUEUE, [
          { name: OVERDUE_SWEEP_JOB, everyMs: config.CONTENT_DUE_SWEEP_EVERY_MS },
          { name: RETENTION_JOB, everyMs: config.CONTENT_RETENTION_EVERY_MS },
        ]),
      ],
    };
  }
}
