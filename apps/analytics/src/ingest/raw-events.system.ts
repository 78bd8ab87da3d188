import { Injectable } from '@nestjs/common';
import { Database, type SystemScope, type Transaction } from '@smartbeak/persistence';

import { type RawRow } from './meter';

const DAY_MS = 86_400_000;

/** `events_raw_20261202`: the partition of one UTC day. */
export function partitionName(day: Date): string {
  return `events_raw_${day.toISOString().slice(0, 10).replace(/-/g, '')}`;
}

export function utcDay(at: Date): Date {
  return new Date(Math.floor(at.getTime() / DAY_MS) * DAY_MS);
}

/**
 * `events_raw` across orgs, on purpose: the batcher writes every org's
 * events in one transaction, and the maintenance job keeps the partitions
 * (made ahead, dropped whole).
 */
@Injectable()
export class RawEventsSystem {
  /** Partitions known to exist (made by this process or seen in the catalogue). */
  private readonly known = new Set<string>();

  constructor(private readonly db: Database) {}

  /**
   * Writes a batch: its rows (a row already stored — a redelivered event —
   * is skipped by the primary key) and the hours they touch marked dirty,
   * in one transaction. Returns how many rows were new.
   */
  async write(scope: SystemScope, rows: RawRow[]): Promise<number> {
    if (!rows.length) return 0;
    await this.ensurePartitions(scope, [...new Set(rows.map((row) => utcDay(row.occurredAt).getTime()))]);
    return this.db.transaction(async (tx) => {
      const inserted = await insertRows(tx, rows);
      // Only what is new moves an hour: a redelivered event leaves a rolled-up hour alone.
      await markHours(tx, inserted);
      return inserted.length;
    });
  }

  /** Makes the day partitions that do not exist yet (idempotent; safe beside other replicas). */
  async ensurePartitions(_scope: SystemScope, days: number[]): Promise<void> {
    const missing = days.map((ms) => new Date(ms)).filter((day) => !this.known.has(partitionName(day)));
    if (!missing.length) return;
    await this.db.transaction(async (tx) => {
      // Two replicas creating the same partition would collide: one at a time.
      await tx.run(`SELECT pg_advisory_xact_lock(hashtext('analytics.events_raw.partitions'))`);
      for (const day of missing) {
        const name = partitionName(day);
        await tx.run(
          `CREATE TABLE IF NOT EXISTS ${name} PARTITION OF events_raw
             FOR VALUES FROM ('${day.toISOString()}') TO ('${new Date(day.getTime() + DAY_MS).toISOString()}')`,
        );
      }
    });
    for (const day of missing) this.known.add(partitionName(day));
  }

  /** The day partitions that exist, oldest first. */
  async partitions(_scope: SystemScope): Promise<{ name: string; day: Date }[]> {
    const rows = await this.db.rows<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i
         JOIN pg_class c ON c.oid = i.inhrelid
         JOIN pg_class p ON p.oid = i.inhparent
        WHERE p.relname = 'events_raw' ORDER BY c.relname`,
    );
    return rows.flatMap(({ name }) => {
      const match = /^events_raw_(\d{4})(\d{2})(\d{2})$/.exec(name);
      return match ? [{ name, day: new Date(`${match[1]}-${match[2]}-${match[3]}T00:00:00Z`) }] : [];
    });
  }

  /** Drops one day's partition whole (retention: never a DELETE of rows). */
  async dropPartition(_scope: SystemScope, name: string): Promise<void> {
    if (!/^events_raw_\d{8}$/.test(name)) throw new Error(`not a day partition: ${name}`);
    await this.db.transaction(async (tx) => {
      await tx.run(`SELECT pg_advisory_xact_lock(hashtext('analytics.events_raw.partitions'))`);
      await tx.run(`ALTER TABLE events_raw DETACH PARTITION ${name}`);
      await tx.run(`DROP TABLE ${name}`);
    });
    this.known.delete(name);
  }
}

/** The rows that were new (when each happened); the others were stored already. */
async function insertRows(tx: Transaction, rows: RawRow[]): Promise<Date[]> {
  const inserted = await tx.rows<{ occurredAt: Date }>(
    `INSERT INTO events_raw (event_id, occurred_at, org_id, domain_id, metric, dimension, value)
     SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::varchar[], $4::uuid[], $5::varchar[], $6::varchar[], $7::bigint[])
     ON CONFLICT DO NOTHING
     RETURNING occurred_at AS "occurredAt"`,
    [
      rows.map((row) => row.eventId),
      rows.map((row) => row.occurredAt),
      rows.map((row) => row.orgId),
      rows.map((row) => row.domainId),
      rows.map((row) => row.metric),
      rows.map((row) => row.dimension),
      rows.map((row) => row.value),
    ],
  );
  return inserted.map((row) => row.occurredAt);
}

/**
 * Marks the batch's hours for the next hourly rollup. The update takes a
 * new generation even when the hour is dirty already: a rollup that read
 * the hour before this commit sees the generation move and keeps the mark.
 */
async function markHours(tx: Transaction, times: Date[]): Promise<void> {
  if (!times.length) return;
  const hours = [...new Set(times.map((at) => Math.floor(at.getTime() / 3_600_000)))].sort();
  await tx.run(
    `INSERT INTO rollup_dirty (tier, bucket)
     SELECT 'hour', to_timestamp(h * 3600) FROM unnest($1::bigint[]) AS h
     ON CONFLICT (tier, bucket) DO UPDATE SET generation = nextval('rollup_generation')`,
    [hours],
  );
}
