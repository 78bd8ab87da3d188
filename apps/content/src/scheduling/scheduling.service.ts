import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Events } from '@smartbeak/contracts';
import { orgScope, systemScope } from '@smartbeak/persistence';
import { type Queue } from 'bullmq';

import { ContentSystem } from '../items/content.system';
import { ContentWriter, NothingToDo } from '../items/content-writer';
import { type ItemState } from '../items/projection';
import { MAINTENANCE_QUEUE, PUBLISH_DUE_JOB } from '../queues/queues';

export const SYSTEM_ACTOR = 'system';
const SCHEDULER = systemScope('scheduled publishing');

/**
 * `scheduled → published` is the system's move: one delayed job per
 * scheduling, and an overdue sweep behind it for jobs that went missing.
 */
@Injectable()
export class SchedulingService {
  private readonly logger = new Logger(SchedulingService.name);

  constructor(
    private readonly writer: ContentWriter,
    private readonly system: ContentSystem,
    @InjectQueue(MAINTENANCE_QUEUE) private readonly queue: Queue,
  ) {}

  async schedulePublish(item: ItemState): Promise<void> {
    if (!item.scheduledFor) return;
    const delay = Math.max(0, Date.parse(item.scheduledFor) - Date.now());
    try {
      await this.queue.add(
        PUBLISH_DUE_JOB,
        { id: item.id },
        {
          // One job per scheduling; replicas adding the same id add it once.
          jobId: `publish-${item.id}-${item.version}`,
          delay,
          attempts: 5,
          backoff: { type: 'exponential', delay: 1_000 },
          removeOnComplete: 1_000,
          removeOnFail: 5_000,
        },
      );
    } catch (error) {
      // The item is scheduled either way: the overdue sweep publishes it if this job is missing.
      this.logger.warn(`could not queue the publish of ${item.id}: ${(error as Error).message}`);
    }
  }

  /**
   * Publishes a scheduled item whose time has come — once: the row lock and
   * the status check make a second caller (another replica's job, the
   * sweep) find nothing to do. Says what it did; `notDueForMs` when the job
   * came early (clocks differ) or the item was rescheduled later.
   */
  async publishDue(id: string): Promise<{ published: boolean; notDueForMs?: number }> {
    const row = await this.system.dueIn(SCHEDULER, id);
    if (!row) return { published: false };
    if (row.dueInMs > 0) return { published: false, notDueForMs: row.dueInMs };
    const published = await this.writer.changeIfNeeded(
      { scope: orgScope(row.orgId), actor: SYSTEM_ACTOR },
      id,
      (state) => {
        if (
          state.status !== 'scheduled' ||
          !state.scheduledFor ||
          Date.parse(state.scheduledFor) > Date.now()
        ) {
          throw new NothingToDo();
        }
        return {
          type: Events.content.published,
          changes: { status: 'published', scheduledFor: null, publishedAt: new Date().toISOString() },
          extra: { from: 'scheduled', to: 'published', scheduledFor: state.scheduledFor },
        };
      },
    );
    return { published };
  }

  /** Scheduled items past their time (a lost delayed job, a flushed Redis): publish them now. */
  async publishOverdue(batch = 100): Promise<number> {
    let published = 0;
    for (const id of await this.system.overdue(SCHEDULER, batch)) {
      if ((await this.publishDue(id)).published) published++;
    }
    if (published) this.logger.log(`published ${published} overdue scheduled item(s)`);
    return published;
  }
}
