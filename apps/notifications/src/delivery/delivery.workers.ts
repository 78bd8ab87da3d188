import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { OUTBOUND_CHANNELS } from '@smartbeak/contracts';
import { type RedisClient, bullPrefix, createRedis } from '@smartbeak/messaging';
import { SERVICE_CONFIG } from '@smartbeak/runtime';
import { type Job, Worker } from 'bullmq';

import { OperatorAlerts } from '../alerts/operator-alerts';
import { type NotificationsConfig } from '../config/notifications.config';
import { CHANNEL_QUEUES, DIGEST_JOB, OPERATOR_QUEUE } from '../queues/queues';
import { DeliverySender } from './delivery-sender';

/**
 * One BullMQ worker per channel queue (and one for on-call pages), rate
 * bounded per queue for every replica together (NOTIFICATIONS_SEND_RATE).
 * Jobs always complete: how a delivery ended is in its row, and a retry is a
 * new delayed job, so nothing waits in BullMQ's failed set.
 */
@Injectable()
export class DeliveryWorkers implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DeliveryWorkers.name);
  private readonly workers: Worker[] = [];
  private redis?: RedisClient;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: NotificationsConfig,
    private readonly sender: DeliverySender,
    private readonly alerts: OperatorAlerts,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.redis = createRedis(this.config.REDIS_URL, { maxRetriesPerRequest: null });
    this.redis.on('error', () => undefined); // Outages show in the readiness probe; ioredis reconnects by itself.
    const options = {
      connection: this.redis,
      prefix: bullPrefix(this.config.REDIS_PREFIX),
      concurrency: this.config.NOTIFICATIONS_CONCURRENCY,
      limiter: { max: this.config.NOTIFICATIONS_SEND_RATE, duration: 1000 },
    };
    for (const channel of OUTBOUND_CHANNELS) {
      this.workers.push(
        new Worker(
          CHANNEL_QUEUES[channel],
          (job: Job<{ deliveryId?: string; digestId?: string }>) =>
            job.name === DIGEST_JOB
              ? this.sender.runDigest(job.data.digestId!)
              : this.sender.run(job.data.deliveryId!),
          options,
        ),
      );
    }
    this.workers.push(
      new Worker(
        OPERATOR_QUEUE,
        (job: Job<{ alertId: string }>) => this.alerts.send(job.data.alertId),
        options,
      ),
    );
    for (const worker of this.workers) {
      worker.on('error', (error) => this.logger.warn(`worker: ${error.message}`));
      worker.on('failed', (job, error) =>
        this.logger.error(`job ${job?.id} on ${worker.name} failed: ${error.message}`),
      );
    }
    await Promise.all(this.workers.map((worker) => worker.waitUntilReady()));
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.close()));
    this.redis?.disconnect();
  }
}
