import { DynamicModule, Module } from '@nestjs/common';
import { EventQueues } from '@smartbeak/contracts';
import { eventConsumerHost, jobSchedules, serviceQueues, ServiceRuntimeModule } from '@smartbeak/runtime';

import { AuditEventHandlers } from './audit/audit-events';
import { AuditHandler } from './audit/audit.handler';
import { AuditRepository } from './audit/audit.repository';
import { AuditService } from './audit/audit.service';
import { AuditSystem } from './audit/audit.system';
import { ClerkSyncHandler } from './clerk/clerk-sync.handler';
import { ClerkSyncService } from './clerk/clerk-sync.service';
import { ControlPlaneConfig, SERVICE_NAME } from './config/control-plane.config';
import { controlPlaneDatabaseOptions } from './database/schema';
import { DomainsHandler } from './domains/domains.handler';
import { DomainsRepository } from './domains/domains.repository';
import { DomainsService } from './domains/domains.service';
import { IdentityHandler } from './identity/identity.handler';
import { IdentityRepository } from './identity/identity.repository';
import { IdentityService } from './identity/identity.service';
import { UsersSystem } from './identity/users.system';
import { MaintenanceProcessor } from './queues/maintenance.processor';
import { AUDIT_RETENTION_JOB, MAINTENANCE_QUEUE } from './queues/queues';

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
          database: controlPlaneDatabaseOptions(config.DATABASE_URL, config.DATABASE_POOL_SIZE),
        }),
      ],
      controllers: [IdentityHandler, DomainsHandler, AuditHandler, ClerkSyncHandler],
      providers: [
        IdentityRepository,
        UsersSystem,
        IdentityService,
        DomainsRepository,
        DomainsService,
        AuditRepository,
        AuditSystem,
        AuditService,
        AuditEventHandlers,
        eventConsumerHost(EventQueues.controlPlane, SERVICE_NAME, AuditEventHandlers),
        ClerkSyncService,
        MaintenanceProcessor,
        jobSchedules(MAINTENANCE_QUEUE, [
          { name: AUDIT_RETENTION_JOB, everyMs: config.AUDIT_RETENTION_EVERY_MS },
        ]),
      ],
    };
  }
}
