import { Processor, WorkerHost } from '@nestjs/bullmq';
import { type Job } from 'bullmq';

import { MediaService } from '../assets/media.service';

export const MAINTENANCE_QUEUE = 'media-maintenance';
export const SWEEP_JOB = 'sweep';

/** One processor for the queue, dispatching on the job name. */
@Processor(MAINTENANCE_QUEUE, { concurrency: 1 })
export class MaintenanceProcessor extends WorkerHost {
  constructor(private readonly media: MediaService) {
    super();
  }

  process(job: Job): Promise<unknown> {
    switch (job.name) {
      case SWEEP_JOB:
        return this.media.sweep();
      default:
        throw new Error(`No handler for maintenance job ${job.name}`);
    }
  }
}
