import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { type EventEnvelope, EventQueues } from '@smartbeak/contracts';
import {
  type EventBatch,
  EventDeadLetters,
  MessageKeys,
  MessageRefused,
  type RedisClient,
  bullPrefix,
  checkEvent,
  checkEventBatch,
  createRedis,
  isEventBatch,
  resealForRedrive,
} from '@smartbeak/messaging';
import { systemScope } from '@smartbeak/persistence';
import { SERVICE_CONFIG } from '@smartbeak/runtime';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { Counter } from 'prom-client';
import { metricsRegistry } from '@smartbeak/observability';

import { type AnalyticsConfig, RETENTION, SERVICE_NAME } from '../config/analytics.config';
import { type RawRow, rowsOf } from './meter';
import { RawEventsSystem } from './raw-events.system';

const INGEST = systemScope('usage batcher: every org’s events, written together');
const DAY_MS = 86_400_000;

const ingested = new Counter({
  name: 'smartbeak_analytics_ingested_total',
  help: 'Events the usage batcher acknowledged, by outcome (stored, duplicate, nothing to count, out of range)',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
});

interface Waiting {
  rows: RawRow[];
  done: (error?: unknown) => void;
}

/**
 * The usage batcher (docs/analytics.md § Ingestion): a BullMQ worker on
 * `analytics-events` (relay batches under one seal, and the gateway meter's
 * single events) that holds each job open while its rows wait
 * in a buffer, writes the buffer in one transaction when it holds
 * ANALYTICS_BATCH_SIZE events or ANALYTICS_BATCH_WAIT_MS passed, whichever
 * first, and only then lets the jobs complete. A crash before the commit
 * leaves the jobs active; BullMQ hands them out again when their lock
 * lapses, and the raw table's key turns the second write into nothing.
 */
@Injectable()
export class UsageBatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(UsageBatcher.name);
  private worker?: Worker;
  private redis?: RedisClient;
  private buffer: Waiting[] = [];
  /** Events in the buffer (a relay's batch is one entry of many events). */
  private buffered = 0;
  private timer?: NodeJS.Timeout;
  /** Batches are written one after another: the next waits for the last commit. */
  private writing: Promise<void> = Promise.resolve();

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: AnalyticsConfig,
    private readonly raw: RawEventsSystem,
    private readonly keys: MessageKeys,
    private readonly deadLetters: EventDeadLetters,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.ANALYTICS_INGEST) return;
    this.redis = createRedis(this.config.REDIS_URL, { maxRetriesPerRequest: null });
    this.redis.on('error', () => undefined); // the readiness probe reports Redis
    this.worker = new Worker(EventQueues.analytics, (job: Job<EventEnvelope>) => this.process(job), {
      connection: this.redis,
      prefix: bullPrefix(this.config.REDIS_PREFIX),
      // Every job of a batch is in flight at once, waiting for the batch's commit.
      concurrency: this.config.ANALYTICS_BATCH_SIZE * 2,
      lockDuration: this.config.ANALYTICS_LOCK_MS,
      stalledInterval: this.config.ANALYTICS_LOCK_MS,
      // A job of a crashed batcher is handed out again, not failed (its second write adds nothing).
      maxStalledCount: 10,
    });
    await this.worker.waitUntilReady();
  }

  async onApplicationShutdown(): Promise<void> {
    // Closing waits for the jobs in flight, whose batches the flush commits.
    const closing = this.worker?.close();
    this.flush();
    await closing;
    await this.writing;
    this.redis?.disconnect();
  }

  /** One event (the gateway's meter) or a relay's batch (`EventBatch`, one seal): its rows wait for the batch write. */
  private async process(job: Job<EventEnvelope | EventBatch>): Promise<string> {
    const events = isEventBatch(job.data) ? job.data.events : [job.data];
    const deadLetter = (error: unknown, checked: boolean) =>
      Promise.all(
        events.map((event) =>
          this.deadLetters.record(
            SERVICE_NAME,
            EventQueues.analytics,
            // A batch's events carry no seal of their own: once checked, they are kept sealed by us, so a re-drive passes.
            checked && isEventBatch(job.data) ? resealForRedrive(this.keys, event) : event,
            error,
            job.attemptsMade + 1,
          ),
        ),
      );
    try {
      if (isEventBatch(job.data)) checkEventBatch(this.keys, job.data);
      else checkEvent(this.keys, job.data);
    } catch (error) {
      // Forged or altered: kept for an operator, never retried.
      await deadLetter(error, false);
      if (error instanceof MessageRefused) throw new UnrecoverableError(`refused: ${error.message}`);
      throw error;
    }
    const rows: RawRow[] = [];
    for (const event of events) {
      const own = rowsOf(event);
      if (!own.length) {
        this.counted('nothing');
        continue;
      }
      const age = Date.now() - own[0]!.occurredAt.getTime();
      if (age > RETENTION.rawDays * DAY_MS - 3_600_000 || age < -DAY_MS) {
        // Its day is gone (or not yet made): counting it would reopen a dropped bucket.
        this.logger.warn(
          `Event ${event.id} (${event.type}) at ${event.occurredAt} is out of range: not counted`,
        );
        this.counted('out-of-range');
        continue;
      }
      rows.push(...own);
      this.counted('stored');
    }
    if (!rows.length) return 'nothing to write';
    try {
      await this.enqueue(rows, events.length);
    } catch (error) {
      if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) await deadLetter(error, true);
      throw error;
    }
    return `${rows.length} rows written`;
  }

  private counted(outcome: string): string {
    ingested.inc({ outcome });
    return outcome;
  }

  /** Adds rows to the buffer; resolves once the batch holding them committed. */
  private enqueue(rows: RawRow[], events: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.buffer.push({ rows, done: (error) => (error ? reject(error) : resolve()) });
      this.buffered += events;
      if (this.buffered >= this.config.ANALYTICS_BATCH_SIZE) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.config.ANALYTICS_BATCH_WAIT_MS);
    });
  }

  /** Takes the buffer as one batch and writes it after the batch before. */
  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.buffer;
    if (!batch.length) return;
    this.buffer = [];
    this.buffered = 0;
    this.writing = this.writing.then(async () => {
      try {
        await this.raw.write(
          INGEST,
          batch.flatMap((waiting) => waiting.rows),
        );
        for (const waiting of batch) waiting.done();
      } catch (error) {
        // One bad event must not fail its batch-mates: each is tried alone, and only what fails fails.
        this.logger.error(
          `A batch of ${batch.length} events failed (${(error as Error).message}): writing one by one`,
        );
        for (const waiting of batch) {
          await this.raw.write(INGEST, waiting.rows).then(
            () => waiting.done(),
            (alone: unknown) => waiting.done(alone),
          );
        }
      }
    });
  }
}
