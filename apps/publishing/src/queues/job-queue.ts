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
  enqueue(job: Pick<JobRow, 'id' | 'run' | 'scheduledFor'>): Promise<void> {
    return this.enqueueMany([job]);
  }

  /** The same for many jobs, in one round trip to Redis. */
  async enqueueMany(jobs: Pick<JobRow, 'id' | 'run' | 'scheduledFor'>[]): Promise<void> {
    if (!jobs.length) return;
    const now = Date.now();
    try {
      await this.queue.addBulk(
        jobs.map((job) => ({
          name: 'publish',
          data: { jobId: job.id },
          opts: {
            jobId: queueJobId(job.id, job.run),
            delay: job.scheduledFor ? Math.max(0, job.scheduledFor.getTime() - now) : 0,
            attempts: this.config.PUBLISHING_MAX_ATTEMPTS,
            backoff: { type: 'jittered' },
            removeOnComplete: { age: 24 * 3600, count: 10_000 },
            removeOnFail: { age: 7 * 24 * 3600 },
          },
        })),
      );
    } catch (error) {
      // The jobs are recorded; the sweeper queues them when Redis is back.
      this.logger.warn(`could not queue ${jobs.length} job(s), ${jobs[0]!.id}…: ${(error as Error).message}`);
    }
  }
}
