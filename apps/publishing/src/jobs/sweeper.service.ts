import { Injectable, Logger } from '@nestjs/common';
import { Database, systemScope } from '@smartbeak/persistence';

import { JobQueue } from '../queues/job-queue';
import { queueJobId } from '../queues/queues';
import { JobsSystem } from './jobs.system';

const SWEEPER = systemScope('publishing sweeper');

/**
 * Jobs that should be running and are not: a scheduled job never started
 * (its delayed job lost, Redis flushed) or a queued/running one whose queue
 * job is gone — queued again; one whose queue job failed outright (a crash
 * loop, a bug) — dead-lettered as a system error. Nothing stays open forever.
 */
@Injectable()
export class Sweeper {
  private readonly logger = new Logger(Sweeper.name);

  constructor(
    private readonly db: Database,
    private readonly system: JobsSystem,
    private readonly queue: JobQueue,
  ) {}

  async sweep(graceMs: number, batch = 200): Promise<{ requeued: number; deadLettered: number }> {
    let requeued = 0;
    let deadLettered = 0;
    for (const job of await this.system.stale(SWEEPER, graceMs, batch)) {
      const queued = await this.queue.queue.getJob(queueJobId(job.id, job.run));
      const state = queued ? await queued.getState() : 'missing';
      if (['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'].includes(state)) {
        if (state !== 'delayed' || job.state !== 'pending') continue;
        await queued?.promote().catch(() => undefined); // overdue: run it now
        requeued++;
        continue;
      }
      if (state === 'failed') {
        const reason = queued?.failedReason ?? 'the queue job failed';
        if (await this.db.transaction((tx) => this.system.in(tx).deadLetterStuck(SWEEPER, job.id, reason))) {
          deadLettered++;
        }
        continue;
      }
      // Missing, or completed without the job finishing: a new run.
      const next = await this.db.transaction((tx) =>
        this.system.in(tx).newRun(SWEEPER, job, `requeued by the sweeper (queue job ${state})`),
      );
      if (next) {
        await this.queue.enqueue(next);
        requeued++;
      }
    }
    if (requeued || deadLettered)
      this.logger.warn(`sweep: ${requeued} requeued, ${deadLettered} dead-lettered`);
    return { requeued, deadLettered };
  }
}
