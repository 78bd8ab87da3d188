import { Processor, WorkerHost } from '@nestjs/bullmq';
import { type Job } from 'bullmq';

import { RetentionService } from '../retention/retention.service';
import { SchedulingService } from '../scheduling/scheduling.service';
import { MAINTENANCE_QUEUE, OVERDUE_SWEEP_JOB, PUBLISH_DUE_JOB, RETENTION_JOB } from './queues';

const EARLY_WAIT_LIMIT_MS = 5_000;

/** One processor for the queue, dispatching on the job name. */
@Processor(MAINTENANCE_QUEUE, { concurrency: 4 })
export class MaintenanceProcessor extends WorkerHost {
  constructor(
    private readonly scheduling: SchedulingService,
    private readonly retention: RetentionService,
  ) {
    super();
  }

  process(job: Job<{ id?: string }>): Promise<unknown> {
    switch (job.name) {
      case PUBLISH_DUE_JOB:
        return this.publishDue(String(job.data.id));
      case OVERDUE_SWEEP_JOB:
        return this.scheduling.publishOverdue();
      case RETENTION_JOB:
        return this.retention.apply();
      default:
        throw new Error(`No handler for maintenance job ${job.name}`);
    }
  }

  /** A job that comes a little early (Redis and PostgreSQL clocks differ) waits out the rest. */
  private async publishDue(id: string): Promise<unknown> {
    const result = await this.scheduling.publishDue(id);
    const wait = result.notDueForMs;
    if (wait !== undefined && wait < EARLY_WAIT_LIMIT_MS) {
      await new Promise((resolve) => setTimeout(resolve, Math.ceil(wait) + 5));
      return this.scheduling.publishDue(id);
    }
    // Later than that: the item was rescheduled, and its new job (or the overdue sweep) publishes it.
    return result;
  }
}
