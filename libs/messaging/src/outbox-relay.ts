import {
  BATCHED_EVENT_QUEUES,
  EVENT_ROUTES,
  liveSignalOf,
  type EventEnvelope,
  type EventQueue,
  MAX_EVENT_PAYLOAD_BYTES,
} from '@smartbeak/contracts';
import { outboxRelayed } from '@smartbeak/observability';
import { Queue } from 'bullmq';
import { type Database } from '@smartbeak/persistence';
import { Client } from 'pg';
import { type MigrationInterface, type QueryRunner } from 'typeorm';

import { sealEvent, sealEventBatch } from './event-seal';
import { OUTBOX_CHANNEL, type OutboxRecord } from './outbox';
import { type MessageKeys } from './signing';
import { createRedis, type RedisClient } from './redis-connection';

/**
 * Where the relay reads: the `outbox` table by default, or a table shaped
 * like it (content's event store keeps `event_id` and a `version`).
 */
export interface OutboxSource {
  table: string;
  idColumn: string;
  /** Carried to consumers as `envelope.version`. */
  versionColumn?: string;
  /** Delete relayed rows after `keepRelayedDays` (never for an event store, which is the record). */
  prune: boolean;
  /**
   * What of a stored payload goes to consumers (an event store keeps whole
   * bodies; its events on the wire say what changed). Whatever it returns is
   * still bounded by MAX_EVENT_PAYLOAD_BYTES.
   */
  toWire?: (type: string, payload: Record<string, unknown>) => Record<string, unknown>;
}

/**
 * The payload as consumers get it: the source's wire form, and never more
 * than MAX_EVENT_PAYLOAD_BYTES — a bigger one is replaced by a marker
 * (consumers fetch what they need from the owner) and reported.
 */
export function wirePayload(
  source: OutboxSource,
  type: string,
  payload: Record<string, unknown>,
  onOversized?: (bytes: number) => void,
): Record<string, unknown> {
  const wire = source.toWire ? source.toWire(type, payload) : payload;
  const bytes = Buffer.byteLength(JSON.stringify(wire));
  if (bytes <= MAX_EVENT_PAYLOAD_BYTES) return wire;
  onOversized?.(bytes);
  return { oversized: true, bytes };
}

export const DEFAULT_OUTBOX_SOURCE: OutboxSource = { table: 'outbox', idColumn: 'id', prune: true };

export interface OutboxRelayOptions {
  source?: OutboxSource;
  database: Database;
  /** A session connection for LISTEN (the relay keeps one of its own); none: it polls only. */
  listenUrl?: string;
  redisUrl: string;
  prefix: string;
  /** Signs every event as the producing service (consumers refuse unsigned ones). */
  keys: MessageKeys;
  pollMs?: number;
  batchSize?: number;
  /** Where each event type goes; defaults to the platform's routing table. */
  routes?: Partial<Record<string, readonly string[]>>;
  /** How long a claimed batch is this relay's before another may send it (default 30 s). */
  claimLeaseMs?: number;
  /** Relayed rows older than this are deleted (default 7). */
  keepRelayedDays?: number;
  /**
   * The consumer inbox (`processed_events`) keeps an applied event's id this
   * long (default 30): far past the last possible redelivery — the outbox row
   * is gone after `keepRelayedDays`, BullMQ's job after 7 days.
   */
  keepProcessedDays?: number;
  onError?: (error: unknown) => void;
}

/** An outbox row as the relay claims it: what was written, when, and (an event store's) version. */
interface OutboxRow extends OutboxRecord {
  occurred_at: Date;
  version: number | null;
}

/**
 * BullMQ's prefix for every queue of a deployment: `{<prefix>:bull}`. The braces
 * are a Redis Cluster hash tag: BullMQ's scripts name several keys of a queue
 * at once, which a cluster allows only within one slot.
 */
export function bullPrefix(prefix: string): string {
  return `{${prefix}:bull}`;
}

/**
 * Event jobs are bounded in Redis by age and count. A finished job is kept a
 * day (BullMQ ignores a second add of its id meanwhile; the consumer's inbox
 * stops any later copy). A failed one is first written to the consumer's
 * `event_dead_letters` table (see EventConsumer), so Redis need not keep it long.
 */
/** The job name of an `EventBatch` on a batched queue (BATCHED_EVENT_QUEUES). */
export const EVENT_BATCH_JOB = 'event-batch';

export const EVENT_JOB_OPTIONS = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 1_000 },
} as const;

/**
 * Moves committed outbox rows to their consumers' BullMQ queues, with the
 * event id as job id, then marks them relayed — at least once: if it dies
 * between the two, the rows are sent again and BullMQ (same job id) and the
 * consumer's inbox make the repeat harmless. Rows are claimed with SKIP
 * LOCKED, so any number of replicas may relay side by side.
 */
export class OutboxRelay {
  private readonly queues = new Map<string, Queue>();
  private readonly routes: Partial<Record<string, readonly string[]>>;
  private readonly source: OutboxSource;
  private redis?: RedisClient;
  private listener?: Client;
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private lastCleanup = 0;

  constructor(private readonly options: OutboxRelayOptions) {
    this.routes = options.routes ?? (EVENT_ROUTES as Partial<Record<string, readonly EventQueue[]>>);
    this.source = options.source ?? DEFAULT_OUTBOX_SOURCE;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.redis = createRedis(this.options.redisUrl, { maxRetriesPerRequest: null });
    this.redis.on('error', () => undefined); // Outages show in the readiness probe; ioredis reconnects by itself.
    this.running = true;
    await this.listen();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.listener?.end().catch(() => undefined);
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
    this.redis?.disconnect();
  }

  /**
   * Relays one batch; returns how many rows it claimed. No database
   * transaction stays open while Redis is called: rows are claimed for a
   * lease by one statement, sent, then marked relayed by another. A relay
   * that dies in between leaves a lease that runs out, and another relay
   * sends those rows again (same job ids: harmless).
   */
  async relayBatch(): Promise<number> {
    const batchSize = this.options.batchSize ?? 200;
    const { table, idColumn, versionColumn } = this.source;
    const leaseMs = this.options.claimLeaseMs ?? 30_000;
    const claimed = await this.options.database.rows<OutboxRow>(
      `UPDATE ${table} SET claimed_until = clock_timestamp() + make_interval(secs => $2::float / 1000)
        WHERE ${idColumn} IN (
          SELECT ${idColumn} FROM ${table}
           WHERE relayed_at IS NULL AND (claimed_until IS NULL OR claimed_until < clock_timestamp())
           ORDER BY occurred_at, ${idColumn} LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING ${idColumn} AS id, type, aggregate_id, org_id, domain_id, payload, request_id, occurred_at,
                  ${versionColumn ?? 'NULL::int'} AS version`,
      [batchSize, leaseMs],
    );
    if (!claimed.length) return 0;
    const rows = claimed.sort(
      (a, b) =>
        new Date(a.occurred_at).getTime() - new Date(b.occurred_at).getTime() || a.id.localeCompare(b.id),
    );

    const byQueue = new Map<string, { name: string; data: EventEnvelope; opts: { jobId: string } }[]>();
    const batched = new Map<string, EventEnvelope[]>();
    for (const row of rows) {
      const envelope: EventEnvelope = sealEvent(this.options.keys, {
        id: row.id,
        type: row.type,
        aggregateId: row.aggregate_id,
        orgId: row.org_id,
        domainId: row.domain_id,
        occurredAt: new Date(row.occurred_at).toISOString(),
        payload: wirePayload(this.source, row.type, row.payload, (bytes) =>
          this.options.onError?.(
            new Error(`event ${row.id} (${row.type}) has a ${bytes}-byte payload; relayed without it`),
          ),
        ),
        requestId: row.request_id,
        ...(row.version === null ? {} : { version: row.version }),
      });
      for (const queue of this.routes[row.type] ?? []) {
        if (BATCHED_EVENT_QUEUES.includes(queue as EventQueue)) {
          batched.set(queue, [...(batched.get(queue) ?? []), envelope]);
          continue;
        }
        const jobs = byQueue.get(queue) ?? [];
        jobs.push({ name: row.type, data: envelope, opts: { jobId: row.id } });
        byQueue.set(queue, jobs);
      }
    }
    // One job per batched queue: its id names the first and last event, so a second relay of the same rows is ignored.
    const batchJobs = [...batched].map(([queue, envelopes]) =>
      this.queue(queue).add(EVENT_BATCH_JOB, sealEventBatch(this.options.keys, envelopes), {
        ...EVENT_JOB_OPTIONS,
        jobId: `batch-${envelopes[0]!.id}-${envelopes[envelopes.length - 1]!.id}-${envelopes.length}`,
      }),
    );
    await Promise.all(batchJobs);
    await Promise.all(
      [...byQueue].map(([queue, jobs]) =>
        this.queue(queue).addBulk(
          jobs.map((job) => ({ ...job, opts: { ...EVENT_JOB_OPTIONS, ...job.opts } })),
        ),
      ),
    );
    await this.options.database.run(
      `UPDATE ${table} SET relayed_at = clock_timestamp(), claimed_until = NULL WHERE ${idColumn} = ANY($1::uuid[])`,
      [rows.map((row) => row.id)],
    );
    for (const row of rows) outboxRelayed.inc({ type: row.type });
    // Live streams hear of it (fire-and-forget: a stream also refreshes by itself).
    const signals = rows.flatMap((row) => {
      const signal = liveSignalOf(this.options.prefix, row.type, row.org_id, row.aggregate_id);
      return signal ? [signal] : [];
    });
    if (signals.length) {
      const pipeline = this.redis!.pipeline();
      for (const [channel, id] of signals) pipeline.publish(channel, id);
      await pipeline.exec().catch((error: unknown) => this.options.onError?.(error));
    }
    return rows.length;
  }

  private queue(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.redis!, prefix: bullPrefix(this.options.prefix) });
      this.queues.set(name, queue);
    }
    return queue;
  }

  private async listen(): Promise<void> {
    if (!this.options.listenUrl) return;
    try {
      this.listener = new Client({ connectionString: this.options.listenUrl });
      this.listener.on('notification', () => this.wake?.());
      this.listener.on('error', (error) => {
        this.options.onError?.(error);
        this.listener = undefined; // polling carries on; the next start re-listens
      });
      await this.listener.connect();
      await this.listener.query(`LISTEN ${OUTBOX_CHANNEL}`);
    } catch (error) {
      this.options.onError?.(error);
    }
  }

  private async run(): Promise<void> {
    const batchSize = this.options.batchSize ?? 200;
    while (this.running) {
      let claimed = 0;
      try {
        claimed = await this.relayBatch();
        await this.cleanup();
      } catch (error) {
        this.options.onError?.(error);
      }
      if (claimed === batchSize) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.pollMs ?? 1_000);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  private async cleanup(): Promise<void> {
    if (!this.source.prune || Date.now() - this.lastCleanup < 3_600_000) return;
    this.lastCleanup = Date.now();
    const days = this.options.keepRelayedDays ?? 7;
    await this.options.database.run(
      `DELETE FROM ${this.source.table} WHERE relayed_at < now() - make_interval(days => $1)`,
      [days],
    );
    await this.options.database.run(
      `DELETE FROM processed_events WHERE processed_at < now() - make_interval(days => $1)`,
      [Math.max(this.options.keepProcessedDays ?? 30, days + 7)],
    );
  }
}

/** The relay's lease on a batch (see relayBatch): add to a service's migrations, per outbox-shaped table. */
export function outboxClaimsMigration(table: string, timestamp: number): new () => MigrationInterface {
  const name = `OutboxClaims${table.replace(/(^|_)(\w)/g, (_all, _sep, c: string) => c.toUpperCase())}${timestamp}`;
  return class implements MigrationInterface {
    name = name;
    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`ALTER TABLE ${table} ADD COLUMN claimed_until timestamptz`);
    }
    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`ALTER TABLE ${table} DROP COLUMN claimed_until`);
    }
  };
}

/** `claimed_until` on the `outbox` table every service has. */
export const OutboxClaims1765300000000 = outboxClaimsMigration('outbox', 1765300000000);
