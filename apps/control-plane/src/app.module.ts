import { DynamicModule, Module } from '@nestjs/common';
import { EventQueues } from '@smartbeak/contracts';
import { eventConsumerHost, jobSchedules, serviceQueues, ServiceRuntimeModule } from '@smartbeak/runtime';

import { AuditEventHandlers } from './audit/audit-events';
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
import { MAINTENANCE_QUEUE, MaintenanceProcessor, AUDIT_RETENTION_JOB } from './jobs/maintenance.processor';

@Module({})
export class AppModule {
  static register(config: ControlPlaneConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ...serviceQueues(config, [MAINTENANCE_QUEUE]),
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
        AuditEventHandlers,
        eventConsumerHost(EventQueues.controlPlane, SERVICE_NAME, AuditEventHandlers),
        ClerkSyncService,
        MaintenanceProcessor,
        jobSchedules(MAINTENANCE_QUEUE, [{ name: AUDIT_RETENTION_JOB, everyMs: 6 * 60 * 60 * 1000 }]),
      ],
    };
  }
}
