import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import { SERVICE_CONFIG } from '@smartbeak/runtime';
import { type Queue } from 'bullmq';

import { type SeoConfig } from '../config/seo.config';
import { INGESTION_QUEUE, RUN_JOB, SCHEDULED_JOB, schedulerId } from './queues';

const KEEP = { removeOnComplete: 200, removeOnFail: 1000 };

/** Adds runs and keeps each source's schedule (staggered across the period by its id). */
@Injectable()
export class IngestionQueue {
  constructor(
    @InjectQueue(INGESTION_QUEUE) private readonly queue: Queue,
    @Inject(SERVICE_CONFIG) private readonly config: SeoConfig,
  ) {}

  async run(ingestionId: string): Promise<void> {
    await this.queue.add(
      RUN_JOB,
      { ingestionId },
      { jobId: ingestionId, attempts: 3, backoff: { type: 'exponential', delay: 5_000 }, ...KEEP },
    );
  }

  /** Every SEO_INGEST_EVERY_MS, at an offset of its own so sources do not all call their provider at once. */
  async schedule(sourceId: string): Promise<void> {
    const every = this.config.SEO_INGEST_EVERY_MS;
    await this.queue.upsertJobScheduler(
      schedulerId(sourceId),
      { every, offset: staggerOffset(sourceId, every) },
      { name: SCHEDULED_JOB, data: { sourceId }, opts: KEEP },
    );
  }

  /** Whether a run's job still waits or runs in the queue (its job id is the ingestion's). */
  async isPending(ingestionId: string): Promise<boolean> {
    const state = await this.queue.getJobState(ingestionId);
    return ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'].includes(state);
  }

  async unschedule(sourceId: string): Promise<void> {
    await this.queue.removeJobScheduler(schedulerId(sourceId));
  }
}

/** A stable offset in [0, every) from the source's id (FNV-1a). */
export function staggerOffset(id: string, every: number): number {
  let hash = 0x811c9dc5;
  for (const char of id) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return hash % every;
}
