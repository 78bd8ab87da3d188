import { type EventEnvelope } from '@smartbeak/contracts';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { type Database, type Transaction } from '@smartbeak/persistence';

import { type EventDeadLetters } from './event-dead-letters.system';
import { checkEvent } from './event-seal';
import { bullPrefix } from './outbox-relay';
import { type MessageKeys, MessageRefused } from './signing';
import { createRedis, type RedisClient } from './redis-connection';

/** Applies one event inside the inbox transaction (`tx`). */
export type EventHandler = (event: EventEnvelope, tx: Transaction) => Promise<void>;

/**
 * Runs `apply` in one transaction with the inbox row that marks the event
 * as applied by `consumer`: a second delivery of the same event finds the
 * row and changes nothing. Returns whether it applied the event.
 */
export async function applyOnce(
  database: Database,
  consumer: string,
  eventId: string,
  apply: (tx: Transaction) => Promise<void>,
): Promise<boolean> {
  return database.transaction(async (tx) => {
    const inserted = await tx.rows(
      `INSERT INTO processed_events (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING event_id`,
      [consumer, eventId],
    );
    if (!inserted.length) return false;
    await apply(tx);
    return true;
  });
}

export interface EventConsumerOptions {
  database: Database;
  redisUrl: string;
  prefix: string;
  /** The consumer's queue, `<service>-events`. */
  queue: string;
  /** Names this consumer in the inbox; one service may run several. */
  consumer: string;
  handlers: Record<string, EventHandler>;
  /** Checks each event's producer signature before any handler runs. */
  keys: MessageKeys;
  /** Where events it gives up on are kept (the service's `event_dead_letters`). */
  deadLetters: EventDeadLetters;
  concurrency?: number;
  onRefused?: (event: EventEnvelope, reason: string) => void;
  /** The alert hook: an event was dead-lettered. */
  onDeadLetter?: (event: EventEnvelope, error: unknown) => void;
}

/** A BullMQ worker that applies each event once (see applyOnce), if its producer signed it. */
export class EventConsumer {
  private worker?: Worker;
  private redis?: RedisClient;

  constructor(private readonly options: EventConsumerOptions) {}

  async start(): Promise<void> {
    this.redis = createRedis(this.options.redisUrl, { maxRetriesPerRequest: null });
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
    try {
      return await this.apply(job);
    } catch (error) {
      // Out of attempts, or refused (which no retry cures): kept in the service's own table.
      const refused = error instanceof MessageRefused;
      if (refused || job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) {
        await this.options.deadLetters.record(
          this.options.consumer,
          this.options.queue,
          job.data,
          error,
          job.attemptsMade + 1,
        );
        this.options.onDeadLetter?.(job.data, error);
      }
      if (refused) throw new UnrecoverableError(`refused: ${(error as Error).message}`);
      throw error;
    }
  }

  private async apply(job: Job<EventEnvelope>): Promise<'applied' | 'duplicate' | 'ignored'> {
    try {
      checkEvent(this.options.keys, job.data);
    } catch (error) {
      if (error instanceof MessageRefused) this.options.onRefused?.(job.data, error.message);
      throw error;
    }
    const handler = this.options.handlers[job.data.type];
    if (!handler) return 'ignored';
    const applied = await applyOnce(this.options.database, this.options.consumer, job.data.id, (tx) =>
      handler(job.data, tx),
    );
    return applied ? 'applied' : 'duplicate';
  }
}
