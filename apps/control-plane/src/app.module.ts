import { DynamicModule, Module } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { bullPrefix } from '@smartbeak/messaging';
import { ServiceRuntimeModule } from '@smartbeak/runtime';

import { AuditHandler } from './audit/audit.handler';
import { AuditService } from './audit/audit.service';
import { ClerkSyncHandler } from './clerk/clerk-sync.handler';
import { ClerkSyncService } from './clerk/clerk-sync.service';
import { ControlPlaneConfig, SERVICE_NAME } from './config/control-plane.config';
import { controlPlaneDataSourceOptions } from './database/schema';
import { DomainsHandler } from './domains/domains.handler';
import { DomainsRepository } from './domains/domains.repository';
import { DomainsService } from './domains/domains.service';
import { IdentityHandler } from './identity/identity.handler';
import { IdentityService } from './identity/identity.service';
import { MAINTENANCE_QUEUE, MaintenanceProcessor, MaintenanceSchedule } from './jobs/maintenance.processor';

@Module({})
export class AppModule {
  static register(config: ControlPlaneConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        BullModule.forRoot({
          connection: { url: config.REDIS_URL, maxRetriesPerRequest: null },
          prefix: bullPrefix(config.REDIS_PREFIX),
        }),
        BullModule.registerQueue({ name: MAINTENANCE_QUEUE }),
        ServiceRuntimeModule.register({
          service: SERVICE_NAME,
          config,
          dataSource: controlPlaneDataSourceOptions(config.DATABASE_URL, config.DATABASE_POOL_SIZE),
        }),
      ],
      controllers: [IdentityHandler, DomainsHandler, AuditHandler, ClerkSyncHandler],
      providers: [
        IdentityService,
        DomainsRepository,
        DomainsService,
        AuditService,
        ClerkSyncService,
        MaintenanceProcessor,
        MaintenanceSchedule,
      ],
    };
  }
}
