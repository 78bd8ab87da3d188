import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { SERVICE_CONFIG } from '@smartbeak/runtime';
import { type Queue } from 'bullmq';

import { PublishingConfig } from '../config/publishing.config';
import { type JobRow } from '../jobs/job-rows';
import { PUBLISHING_QUEUE, queueJobId } from './queues';

/** Puts a job's current run on the `publishing` queue. */
@Injectable()
export class JobQueue {
  private readonly logger = new Logger(JobQueue.name);

  constructor(
    @InjectQueue(PUBLISHING_QUEUE) readonly queue: Queue,
    @Inject(SERVICE_CONFIG) private readonly config: PublishingConfig,
  ) {}

  /** Delayed to scheduledFor; a repeat add of the same run is ignored. After commit. */
  async enqueue(job: Pick<JobRow, 'id' | 'run' | 'scheduledFor'>): Promise<void> {
    const delay = job.scheduledFor ? Math.max(0, job.scheduledFor.getTime() - Date.now()) : 0;
    try {
      await this.queue.add(
        'publish',
        { jobId: job.id },
        {
          jobId: queueJobId(job.id, job.run),
          delay,
          attempts: this.config.PUBLISHING_MAX_ATTEMPTS,
          backoff: { type: 'jittered' },
          removeOnComplete: { age: 24 * 3600, count: 10_000 },
          removeOnFail: { age: 7 * 24 * 3600 },
        },
      );
    } catch (error) {
      // The job is recorded; the sweeper queues it when Redis is back.
      this.logger.warn(`could not queue job ${job.id}: ${(error as Error).message}`);
    }
  }
}
