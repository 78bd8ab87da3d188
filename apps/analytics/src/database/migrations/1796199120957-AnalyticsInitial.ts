import { type MigrationInterface, type QueryRunner } from 'typeorm';

const TIERS = ['usage_hourly', 'usage_daily', 'usage_monthly'];

/**
 * analytics's tables (docs/analytics.md):
 * - `events_raw`: one row per metric an event adds to, partitioned by UTC
 *   day (the maintenance job makes partitions ahead and drops old ones
 *   whole). Its primary key is the dedupe record: an event id, metric and
 *   dimension are stored once, so a redelivered event adds nothing.
 * - `usage_hourly` / `usage_daily` / `usage_monthly`: sums per org, domain,
 *   metric, dimension and UTC bucket, unique per key so every rollup is an
 *   upsert that may run any number of times.
 * - `rollup_dirty`: the buckets whose source changed since their last
 *   rollup; `generation` tells a rollup whether more came in while it ran.
 * `down()` undoes `up()` exactly.
 */
export class AnalyticsInitial1796199120957 implements MigrationInterface {
  name = 'AnalyticsInitial1796199120957';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE events_raw (
        event_id uuid NOT NULL,
        occurred_at timestamptz(3) NOT NULL,
        org_id varchar(100) NOT NULL,
        domain_id uuid,
        metric varchar(64) NOT NULL,
        dimension varchar(64) NOT NULL DEFAULT '',
        value bigint NOT NULL,
        PRIMARY KEY (event_id, metric, dimension, occurred_at)
      ) PARTITION BY RANGE (occurred_at)`);
    // Rollups read an hour's rows: a BRIN index costs next to nothing to keep on append-mostly rows.
    await runner.query(`CREATE INDEX events_raw_occurred_brin ON events_raw USING brin (occurred_at)`);
    for (const table of TIERS) {
      await runner.query(`
        CREATE TABLE ${table} (
          org_id varchar(100) NOT NULL,
          domain_id uuid,
          metric varchar(64) NOT NULL,
          dimension varchar(64) NOT NULL DEFAULT '',
          bucket timestamptz NOT NULL,
          value bigint NOT NULL,
          updated_at timestamptz(3) NOT NULL DEFAULT now(),
          -- The key is also the reports' index: value is carried in it, so a report reads the index alone.
          CONSTRAINT ${table}_key UNIQUE NULLS NOT DISTINCT (org_id, metric, bucket, domain_id, dimension) INCLUDE (value)
        )`);
      // The next tier up and retention read by bucket across orgs.
      await runner.query(`CREATE INDEX ${table}_bucket_idx ON ${table} (bucket)`);
    }
    await runner.query(`CREATE SEQUENCE rollup_generation`);
    await runner.query(`
      CREATE TABLE rollup_dirty (
        tier varchar(5) NOT NULL CHECK (tier IN ('hour', 'day', 'month')),
        bucket timestamptz NOT NULL,
        generation bigint NOT NULL DEFAULT nextval('rollup_generation'),
        PRIMARY KEY (tier, bucket)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE rollup_dirty`);
    await runner.query(`DROP SEQUENCE rollup_generation`);
    for (const table of [...TIERS].reverse()) await runner.query(`DROP TABLE ${table}`);
    await runner.query(`DROP TABLE events_raw`);
  }
}
