import { Processor, WorkerHost } from '@nestjs/bullmq';
import { type Job } from 'bullmq';

import { StorageSweep } from '../assets/storage-sweep.service';
import { MAINTENANCE_QUEUE, SWEEP_JOB } from './queues';

/** One processor for the queue, dispatching on the job name. */
@Processor(MAINTENANCE_QUEUE, { concurrency: 1 })
export class MaintenanceProcessor extends WorkerHost {
  constructor(private readonly sweep: StorageSweep) {
    super();
  }

  process(job: Job): Promise<unknown> {
    switch (job.name) {
      case SWEEP_JOB:
        return this.sweep.sweep();
      default:
        throw new Error(`No handler for maintenance job ${job.name}`);
    }
  }
}
