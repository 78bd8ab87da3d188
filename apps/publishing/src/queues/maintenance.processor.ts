import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject } from '@nestjs/common';
import { SERVICE_CONFIG } from '@smartbeak/runtime';
import { type Job } from 'bullmq';

import { PublishingConfig } from '../config/publishing.config';
import { Sweeper } from '../jobs/sweeper.service';
import { MAINTENANCE_QUEUE, SWEEP_JOB } from './queues';

@Processor(MAINTENANCE_QUEUE, { concurrency: 1 })
export class MaintenanceProcessor extends WorkerHost {
  constructor(
    private readonly sweeper: Sweeper,
    @Inject(SERVICE_CONFIG) private readonly config: PublishingConfig,
  ) {
    super();
  }

  process(job: Job): Promise<unknown> {
    switch (job.name) {
      case SWEEP_JOB:
        return this.sweeper.sweep(Math.max(2 * this.config.PUBLISHING_STALLED_MS, 5_000));
      default:
        throw new Error(`No handler for maintenance job ${job.name}`);
    }
  }
}
