import { type EventEnvelope } from '@smartbeak/contracts';
import { type Job, Worker } from 'bullmq';
import Redis from 'ioredis';
import { type DataSource, type EntityManager } from 'typeorm';

import { bullPrefix } from './outbox-relay';

export type EventHandler = (event: EventEnvelope, manager: EntityManager) => Promise<void>;

/**
 * Runs `apply` in one transaction with the inbox row that marks the event
 * as applied by `consumer`: a second delivery of the same event finds the
 * row and changes nothing. Returns whether it applied the event.
 */
export async function applyOnce(
  dataSource: DataSource,
  consumer: string,
  eventId: string,
  apply: (manager: EntityManager) => Promise<void>,
): Promise<boolean> {
  return dataSource.transaction(async (manager) => {
    const inserted: unknown[] = await manager.query(
      `INSERT INTO processed_events (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING event_id`,
      [consumer, eventId],
    );
    if (!inserted.length) return false;
    await apply(manager);
    return true;
  });
}

export interface EventConsumerOptions {
  dataSource: DataSource;
  redisUrl: string;
  prefix: string;
  /** The consumer's queue, `<service>-events`. */
  queue: string;
  /** Names this consumer in the inbox; one service may run several. */
  consumer: string;
  handlers: Record<string, EventHandler>;
  concurrency?: number;
}

/** A BullMQ worker that applies each event once (see applyOnce). */
export class EventConsumer {
  private worker?: Worker;
  private redis?: Redis;

  constructor(private readonly options: EventConsumerOptions) {}

  async start(): Promise<void> {
    this.redis = new Redis(this.options.redisUrl, { maxRetriesPerRequest: null });
    this.redis.on('error', () => undefined); // Outages show in the readiness probe; ioredis reconnects by itself.
    this.worker = new Worker(this.options.queue, (job: Job<EventEnvelope>) => this.process(job), {
      connection: this.redis,
      prefix: bullPrefix(this.options.prefix),
      concurrency: this.options.concurrency ?? 8,
    });
    await this.worker.waitUntilReady();
  }

  async stop(): Promise<void> {
    await this.worker?.close();
    this.redis?.disconnect();
  }

  private async process(job: Job<EventEnvelope>): Promise<'applied' | 'duplicate' | 'ignored'> {
    const handler = this.options.handlers[job.data.type];
    if (!handler) return 'ignored';
    const applied = await applyOnce(this.options.dataSource, this.options.consumer, job.data.id, (manager) =>
      handler(job.data, manager),
    );
    return applied ? 'applied' : 'duplicate';
  }
}
