import { type DynamicModule, Module } from '@nestjs/common';
import { jobSchedules, serviceQueues, ServiceRuntimeModule } from '@smartbeak/runtime';

import { type ContentConfig, SERVICE_NAME } from './config/content.config';
import { CONTENT_RELAY_SOURCES, contentDatabaseOptions } from './database/schema';
import { ContentRepository } from './items/content.repository';
import { ContentHandler } from './items/content.handler';
import { ContentSystem } from './items/content.system';
import { ContentCommands } from './items/content-commands.service';
import { ContentQueries } from './items/content-queries.service';
import { ContentWriter } from './items/content-writer';
import { EditLocksRepository } from './locks/edit-locks.repository';
import { EditLocksService } from './locks/edit-locks.service';
import { MaintenanceProcessor } from './queues/maintenance.processor';
import { MAINTENANCE_QUEUE, OVERDUE_SWEEP_JOB, RETENTION_JOB } from './queues/queues';
import { RetentionService } from './retention/retention.service';
import { SchedulingService } from './scheduling/scheduling.service';

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
          database: contentDatabaseOptions(config.DATABASE_URL, config.DATABASE_POOL_SIZE),
          relaySources: CONTENT_RELAY_SOURCES,
        }),
      ],
      controllers: [ContentHandler],
      providers: [
        ContentRepository,
        ContentSystem,
        EditLocksRepository,
        ContentWriter,
        ContentCommands,
        ContentQueries,
        EditLocksService,
        SchedulingService,
        RetentionService,
        MaintenanceProcessor,
        jobSchedules(MAINTENANCE_QUEUE, [
          { name: OVERDUE_SWEEP_JOB, everyMs: config.CONTENT_DUE_SWEEP_EVERY_MS },
          { name: RETENTION_JOB, everyMs: config.CONTENT_RETENTION_EVERY_MS },
        ]),
      ],
    };
  }
}
