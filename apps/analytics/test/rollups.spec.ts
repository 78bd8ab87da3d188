import { randomUUID } from 'node:crypto';

import { systemScope } from '@smartbeak/persistence';
import { type MigratedTestDatabase, migratedTestDatabase } from '@smartbeak/testing';

import { analyticsDatabaseOptions } from '../src/database/schema';
import { type RawRow } from '../src/ingest/meter';
import { partitionName, RawEventsSystem, utcDay } from '../src/ingest/raw-events.system';
import { RetentionSystem } from '../src/rollups/retention.system';
import { RollupsSystem } from '../src/rollups/rollups.system';

const SYSTEM = systemScope('analytics tests');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('analytics storage: batches, rollups, retention (real PostgreSQL)', () => {
  let db: MigratedTestDatabase;
  let raw: RawEventsSystem;
  let rollups: RollupsSystem;
  let retention: RetentionSystem;
  const org = `org_${randomUUID().slice(0, 8)}`;
  const domain = randomUUID();

  const row = (
    at: Date,
    metric: RawRow['metric'] = 'content.created',
    value = 1,
    eventId = randomUUID(),
  ): RawRow => ({
    eventId,
    occurredAt: at,
    orgId: org,
    domainId: domain,
    metric,
    dimension: '',
    value,
  });
  const tier = async (table: string, bucket: Date, metric = 'content.created') =>
    Number(
      (
        await db.database.one<{ value: string }>(
          `SELECT coalesce(sum(value), 0) AS value FROM ${table} WHERE org_id = $1 AND metric = $2 AND bucket = $3`,
          [org, metric, bucket],
        )
      )?.value,
    );

  beforeAll(async () => {
    db = await migratedTestDatabase('analytics_rollups', analyticsDatabaseOptions);
    raw = new RawEventsSystem(db.database);
    rollups = new RollupsSystem(db.database);
    retention = new RetentionSystem(db.database, raw, rollups);
  });
  afterAll(() => db.drop());

  it('stores a redelivered event once, and rolls hours, days and months up to the same numbers on every run', async () => {
    const now = new Date();
    const hour = new Date(Math.floor(now.getTime() / HOUR) * HOUR - 2 * HOUR);
    const rows = Array.from({ length: 50 }, (_, i) => row(new Date(hour.getTime() + i * 1000)));
    expect(await raw.write(SYSTEM, rows)).toBe(50);
    // The same batch again (a crash after the commit, before the acknowledgement): nothing new.
    expect(await raw.write(SYSTEM, rows.slice(0, 20))).toBe(0);

    const first = await rollups.run(SYSTEM, now);
    expect(first).toEqual(expect.objectContaining({ hour: 1, day: 1, month: 1, orgs: [org] }));
    expect(await tier('usage_hourly', hour)).toBe(50);
    expect(await tier('usage_daily', utcDay(hour))).toBe(50);
    const month = new Date(Date.UTC(hour.getUTCFullYear(), hour.getUTCMonth(), 1));
    expect(await tier('usage_monthly', month)).toBe(50);

    // Nothing dirty: a second run does nothing; forcing every bucket again gives the same numbers.
    expect(await rollups.run(SYSTEM, now)).toEqual({ hour: 0, day: 0, month: 0, orgs: [] });
    await db.database.run(`INSERT INTO rollup_dirty (tier, bucket) VALUES ('hour', $1)`, [hour]);
    const again = await rollups.run(SYSTEM, now);
    expect(again.hour).toBe(1);
    expect(again.orgs).toEqual([]); // recomputed, unchanged
    expect(await tier('usage_hourly', hour)).toBe(50);
    expect(await tier('usage_monthly', month)).toBe(50);
  });

  it('folds a late event into an hour already rolled up, and leaves the hour under way to the live read', async () => {
    const now = new Date();
    const current = new Date(Math.floor(now.getTime() / HOUR) * HOUR);
    const past = new Date(current.getTime() - 5 * HOUR);
    await raw.write(SYSTEM, [row(past, 'content.published'), row(current, 'content.published')]);
    await rollups.run(SYSTEM, now);
    expect(await tier('usage_hourly', past, 'content.published')).toBe(1);
    expect(await tier('usage_hourly', current, 'content.published')).toBe(0);

    await raw.write(SYSTEM, [row(new Date(past.getTime() + 60_000), 'content.published', 3)]);
    const late = await rollups.run(SYSTEM, now);
    expect(late.hour).toBe(1); // that hour alone, not a rescan
    expect(await tier('usage_hourly', past, 'content.published')).toBe(4);
    expect(await tier('usage_daily', utcDay(past), 'content.published')).toBe(4);

    // The hour under way stays marked until it is over.
    const marks = await db.database.rows(`SELECT 1 FROM rollup_dirty WHERE tier = 'hour' AND bucket = $1`, [
      current,
    ]);
    expect(marks).toHaveLength(1);
    await rollups.run(SYSTEM, new Date(current.getTime() + HOUR + 1000));
    expect(await tier('usage_hourly', current, 'content.published')).toBe(1);
  });

  it('keeps a mark that moved while a rollup ran: the next run folds in what came after its read', async () => {
    const now = new Date();
    const hour = new Date(Math.floor(now.getTime() / HOUR) * HOUR - 3 * HOUR);
    await raw.write(SYSTEM, [row(hour, 'media.uploads')]);
    const before = await db.database.one<{ generation: string }>(
      `SELECT generation FROM rollup_dirty WHERE tier = 'hour' AND bucket = $1`,
      [hour],
    );
    await raw.write(SYSTEM, [row(hour, 'media.uploads')]);
    const after = await db.database.one<{ generation: string }>(
      `SELECT generation FROM rollup_dirty WHERE tier = 'hour' AND bucket = $1`,
      [hour],
    );
    expect(BigInt(after!.generation)).toBeGreaterThan(BigInt(before!.generation));
    await rollups.run(SYSTEM, now);
    expect(await tier('usage_hourly', hour, 'media.uploads')).toBe(2);
  });

  it('drops a raw day partition past 30 days only once its hours are rolled up, and never deletes rows of it', async () => {
    const now = new Date();
    const oldDay = utcDay(new Date(now.getTime() - 40 * DAY));
    const oldHour = new Date(oldDay.getTime() + 5 * HOUR);
    // Back-dated rows (the batcher refuses events this old; a backlog from before the cut-off looks like this).
    await raw.write(SYSTEM, [row(oldHour, 'content.updated', 7), row(oldHour, 'content.updated', 1)]);
    const name = partitionName(oldDay);
    const exists = async () => (await raw.partitions(SYSTEM)).some((partition) => partition.name === name);

    // Its hour is not rolled yet: retention keeps the partition.
    const held = await retention.run(SYSTEM, 2, now);
    expect(held.partitionsDropped).not.toContain(name);
    expect(await exists()).toBe(true);

    await rollups.run(SYSTEM, now);
    expect(await tier('usage_hourly', oldHour, 'content.updated')).toBe(8);
    const done = await retention.run(SYSTEM, 2, now);
    expect(done.partitionsDropped).toContain(name);
    expect(await exists()).toBe(false);
    // The figures outlive the raw rows.
    expect(await tier('usage_daily', oldDay, 'content.updated')).toBe(8);
    // Partitions ahead: today and the next two days exist.
    const names = (await raw.partitions(SYSTEM)).map((partition) => partition.name);
    for (let i = 0; i <= 2; i++)
      expect(names).toContain(partitionName(new Date(utcDay(now).getTime() + i * DAY)));
  });

  it('deletes hourly buckets past 90 days and daily past a year, unless the next tier still waits for them', async () => {
    const now = new Date();
    const oldHour = new Date(utcDay(new Date(now.getTime() - 100 * DAY)).getTime() + HOUR);
    const oldDay = utcDay(new Date(now.getTime() - 400 * DAY));
    await db.database.run(
      `INSERT INTO usage_hourly (org_id, domain_id, metric, bucket, value) VALUES ($1, $2, 'content.created', $3, 5)`,
      [org, domain, oldHour],
    );
    await db.database.run(
      `INSERT INTO usage_daily (org_id, domain_id, metric, bucket, value) VALUES ($1, $2, 'content.created', $3, 9)`,
      [org, domain, oldDay],
    );
    // The day of that hour waits for its daily rollup: the hour stays.
    await db.database.run(`INSERT INTO rollup_dirty (tier, bucket) VALUES ('day', $1)`, [utcDay(oldHour)]);
    await db.database.run(`INSERT INTO rollup_dirty (tier, bucket) VALUES ('month', $1)`, [
      new Date(Date.UTC(oldDay.getUTCFullYear(), oldDay.getUTCMonth(), 1)),
    ]);
    const held = await retention.run(SYSTEM, 2, now);
    expect(held).toEqual(expect.objectContaining({ hourlyDeleted: 0, dailyDeleted: 0 }));

    await rollups.run(SYSTEM, now);
    expect(await tier('usage_daily', utcDay(oldHour))).toBe(5);
    const done = await retention.run(SYSTEM, 2, now);
    expect(done.hourlyDeleted).toBe(1);
    expect(done.dailyDeleted).toBe(1);
    expect(await tier('usage_hourly', oldHour)).toBe(0);
    expect(await tier('usage_daily', utcDay(oldHour))).toBe(5);
    expect(
      await tier('usage_monthly', new Date(Date.UTC(oldDay.getUTCFullYear(), oldDay.getUTCMonth(), 1))),
    ).toBe(9);
  });
});
