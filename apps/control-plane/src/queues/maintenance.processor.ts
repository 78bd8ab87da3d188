import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { type Job } from 'bullmq';

import { AuditService } from '../audit/audit.service';
import { ClerkSyncService } from '../clerk/clerk-sync.service';
import { AUDIT_RETENTION_JOB, MAINTENANCE_QUEUE } from './queues';

/**
 * Periodic upkeep as BullMQ job schedulers: however many replicas run, each
 * run happens once. One processor for the queue, dispatching on the job name.
 */
@Processor(MAINTENANCE_QUEUE, { concurrency: 1 })
export class MaintenanceProcessor extends WorkerHost {
  private readonly logger = new Logger(MaintenanceProcessor.name);

  constructor(
    private readonly audit: AuditService,
    private readonly clerk: ClerkSyncService,
  ) {
    super();
  }

  async process(job: Job): Promise<{ removed: number; deliveries: number }> {
    switch (job.name) {
      case AUDIT_RETENTION_JOB: {
        const removed = await this.audit.prune();
        const deliveries = await this.clerk.pruneDeliveries();
        if (removed || deliveries)
          this.logger.log(
            `retention removed ${removed} audit entries, ${deliveries} Clerk webhook deliveries`,
          );
        return { removed, deliveries };
      }
      default:
        throw new Error(`No handler for maintenance job ${job.name}`);
    }
  }
}
