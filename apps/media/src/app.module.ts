import { type DynamicModule, Module } from '@nestjs/common';
import { jobSchedules, serviceQueues, ServiceRuntimeModule } from '@smartbeak/runtime';

import { MediaHandler } from './assets/media.handler';
import { MediaService } from './assets/media.service';
import { type MediaConfig, SERVICE_NAME } from './config/media.config';
import { mediaDataSourceOptions } from './database/schema';
import { MAINTENANCE_QUEUE, MaintenanceProcessor, SWEEP_JOB } from './jobs/maintenance.processor';
import { MEDIA_STORAGE } from './media.tokens';
import { StorageService } from './storage/storage.service';

@Module({})
export class AppModule {
  static register(config: MediaConfig): DynamicModule {
    const storage = new StorageService(config);
    return {
      module: AppModule,
      imports: [
        ...serviceQueues(config, [MAINTENANCE_QUEUE]),
        ServiceRuntimeModule.register({
          service: SERVICE_NAME,
          config,
          dataSource: mediaDataSourceOptions(config.DATABASE_URL, config.DATABASE_POOL_SIZE),
          readiness: [
            async () => {
              try {
                await storage.ping();
                return { storage: { status: 'up' } };
              } catch (error) {
                return { storage: { status: 'down', message: (error as Error).name } };
              }
            },
          ],
        }),
      ],
      controllers: [MediaHandler],
      providers: [
        { provide: MEDIA_STORAGE, useValue: storage },
        MediaService,
        MaintenanceProcessor,
        jobSchedules(MAINTENANCE_QUEUE, [{ name: SWEEP_JOB, everyMs: 15 * 60 * 1000 }]),
      ],
    };
  }
}
