import { type DynamicModule, Module } from '@nestjs/common';
import { jobSchedules, serviceQueues, ServiceRuntimeModule } from '@smartbeak/runtime';

import { MediaHandler } from './assets/media.handler';
import { AssetsRepository } from './assets/assets.repository';
import { AssetsSystem } from './assets/assets.system';
import { MediaService } from './assets/media.service';
import { StorageSweep } from './assets/storage-sweep.service';
import { type MediaConfig, SERVICE_NAME } from './config/media.config';
import { mediaDatabaseOptions } from './database/schema';
import { MaintenanceProcessor } from './queues/maintenance.processor';
import { MAINTENANCE_QUEUE, SWEEP_JOB } from './queues/queues';
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
          database: mediaDatabaseOptions(config.DATABASE_URL, config.DATABASE_POOL_SIZE),
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
        AssetsRepository,
        AssetsSystem,
        MediaService,
        StorageSweep,
        MaintenanceProcessor,
        jobSchedules(MAINTENANCE_QUEUE, [{ name: SWEEP_JOB, everyMs: config.MEDIA_SWEEP_EVERY_MS }]),
      ],
    };
  }
}
