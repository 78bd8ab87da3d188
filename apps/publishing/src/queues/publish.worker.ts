import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { type RedisClient, bullPrefix, createRedis } from '@smartbeak/messaging';
import { SERVICE_CONFIG } from '@smartbeak/runtime';
import { type Job, Worker } from 'bullmq';

import { PublishingConfig } from '../config/publishing.config';
import { Publisher, RetryLater } from '../worker/publisher';
import { PUBLISHING_QUEUE } from './queues';

/** Exponential from PUBLISHING_BACKOFF_MS with ±50 % jitter, never sooner than the destination's Retry-After. */
export function backoffDelay(attemptsMade: number, baseMs: number, error?: Error): number {
  const exponential = baseMs * 2 ** Math.max(0, attemptsMade - 1);
  const jittered = Math.round(exponential * (0.5 + Math.random()));
  const asked = error instanceof RetryLater ? (error.retryAfterMs ?? 0) : 0;
  return Math.min(Math.max(jittered, asked), 6 * 3600 * 1000);
}

/**
 * The `publishing` queue's worker (the `worker` process role): any number of
 * replicas take jobs from it; a job whose worker died is taken over after
 * PUBLISHING_STALLED_MS and its targets reconciled before any new call.
 */
@Injectable()
export class PublishWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PublishWorker.name);
  private worker?: Worker;
  private redis?: RedisClient;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: PublishingConfig,
    private readonly publisher: Publisher,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.redis = createRedis(this.config.REDIS_URL, { maxRetriesPerRequest: null });
    this.redis.on('error', () => undefined); // Outages show in the readiness probe; ioredis reconnects by itself.
    this.worker = new Worker(PUBLISHING_QUEUE, (job: Job<{ jobId: string }>) => this.process(job), {
      connection: this.redis,
      prefix: bullPrefix(this.config.REDIS_PREFIX),
      concurrency: this.config.PUBLISHING_WORKER_CONCURRENCY,
      stalledInterval: this.config.PUBLISHING_STALLED_MS,
      lockDuration: this.config.PUBLISHING_STALLED_MS,
      // A crash must not fail a job: it is taken over and reconciled instead.
      maxStalledCount: 20,
      settings: {
        backoffStrategy: (attemptsMade: number, _type?: string, error?: Error) =>
          backoffDelay(attemptsMade, this.config.PUBLISHING_BACKOFF_MS, error),
      },
    });
    this.worker.on('error', (error) => this.logger.warn(`worker: ${error.message}`));
    await this.worker.waitUntilReady();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    this.redis?.disconnect();
  }

  private process(job: Job<{ jobId: string }>): Promise<string> {
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    return this.publisher.run(job.data.jobId, lastAttempt);
  }
}
