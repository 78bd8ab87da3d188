import { BullModule, InjectQueue } from '@nestjs/bullmq';
import { type DynamicModule, Injectable, type OnApplicationBootstrap, type Type } from '@nestjs/common';
import { type BaseConfig } from '@smartbeak/config';
import { bullConnection, bullPrefix } from '@smartbeak/messaging';
import { type Queue } from 'bullmq';

/** BullMQ for a service: the connection and key prefix from its config, and its queues. */
export function serviceQueues(config: BaseConfig, queues: string[]): DynamicModule[] {
  return [
    BullModule.forRoot({
      connection: bullConnection(config.REDIS_URL),
      prefix: bullPrefix(config.REDIS_PREFIX),
    }),
    BullModule.registerQueue(...queues.map((name) => ({ name }))),
  ];
}

export interface JobSchedule {
  /** The job name the queue's processor dispatches on. */
  name: string;
  everyMs: number;
}

/**
 * Periodic jobs as BullMQ job schedulers: every replica upserts the same
 * schedulers at start, and each run happens once however many replicas run.
 */
export function jobSchedules(queue: string, schedules: JobSchedule[]): Type<OnApplicationBootstrap> {
  @Injectable()
  class JobSchedules implements OnApplicationBootstrap {
    constructor(@InjectQueue(queue) private readonly queue: Queue) {}

    async onApplicationBootstrap(): Promise<void> {
      for (const schedule of schedules) {
        await this.queue.upsertJobScheduler(
          schedule.name,
          { every: schedule.everyMs },
          { name: schedule.name, opts: { removeOnComplete: 50, removeOnFail: 200 } },
        );
      }
    }
  }
  return JobSchedules;
}
