import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { type Job, Queue } from 'bullmq';

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

@Injectable()
export class MaintenanceSchedule implements OnApplicationBootstrap {
  constructor(@InjectQueue(MAINTENANCE_QUEUE) private readonly queue: Queue) {}

  async onApplicationBootstrap(): Promise<void> {
    // A job scheduler: however many replicas upsert it, each run happens once.
    await this.queue.upsertJobScheduler(
      SWEEP_JOB,
      { every: 15 * 60 * 1000 },
      { name: SWEEP_JOB, opts: { removeOnComplete: 50, removeOnFail: 200 } },
    );
  }
}
