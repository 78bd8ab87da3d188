import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Reports add the hour under way from `events_raw`. Through the BRIN index
 * alone that read scans the hour's rows of every org — fine while an hour
 * is small, slow once the platform ingests hundreds of thousands an hour.
 * A b-tree per org and time makes it read this org's rows only.
 */
export class AnalyticsLiveHourIndex1796210000000 implements MigrationInterface {
  name = 'AnalyticsLiveHourIndex1796210000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE INDEX events_raw_org_time_idx ON events_raw (org_id, occurred_at)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX events_raw_org_time_idx`);
  }
}
