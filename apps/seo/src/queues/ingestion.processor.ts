import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, type OnApplicationBootstrap } from '@nestjs/common';
import { systemScope } from '@smartbeak/persistence';
import { SERVICE_CONFIG } from '@smartbeak/runtime';
import { type Job } from 'bullmq';

import { type SeoConfig } from '../config/seo.config';

import { IngestionRunner } from '../ingestions/ingestion-runner';
import { IngestionsSystem } from '../ingestions/ingestions.system';
import { IngestionQueue } from './ingestion-queue';
import { INGESTION_QUEUE, RUN_JOB, SCHEDULED_JOB, SWEEP_JOB } from './queues';

const SYSTEM = systemScope('SEO ingestion runs, for whichever org the job names');

/**
 * Runs ingestions. The runner settles each one as succeeded or failed; a
 * job throws only when that is impossible (the database gone), and BullMQ
 * tries it again; a crashed worker's job is handed out again when its lock
 * lapses, and the run resumes from the windows already stored.
 */
@Processor(INGESTION_QUEUE)
export class IngestionProcessor extends WorkerHost implements OnApplicationBootstrap {
  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: SeoConfig,
    private readonly runner: IngestionRunner,
    private readonly ingestions: IngestionsSystem,
    private readonly queue: IngestionQueue,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.SEO_INGEST_CONCURRENCY;
  }

  async process(job: Job<{ ingestionId?: string; sourceId?: string }>): Promise<unknown> {
    if (job.name === RUN_JOB && job.data.ingestionId) return this.runner.run(SYSTEM, job.data.ingestionId);
    if (job.name === SWEEP_JOB) {
      const ended = await this.ingestions.sweepStale(SYSTEM, this.config.SEO_STALE_AFTER_MS, (id) =>
        this.queue.isPending(id),
      );
      return { ended };
    }
    if (job.name === SCHEDULED_JOB && job.data.sourceId) {
      const id = await this.ingestions.queueScheduled(SYSTEM, job.data.sourceId);
      // One is queued or running already (a manual run): that one covers this turn.
      if (!id) return { state: 'skipped' };
      return { ingestionId: id, ...(await this.runner.run(SYSTEM, id)) };
    }
    return {};
  }
}
