import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * A notification whose in-app channel the user turned off still exists (its
 * emails, SMS and pushes hang off it, and the event stays applied once), but
 * never shows in the inbox, its count or the live stream. The inbox indexes
 * become partial on it. `down()` undoes `up()` exactly.
 */
export class NotificationsInApp1796300000000 implements MigrationInterface {
  name = 'NotificationsInApp1796300000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE notifications ADD COLUMN in_app boolean NOT NULL DEFAULT true`);
    await runner.query(`DROP INDEX notifications_inbox_idx`);
    await runner.query(`DROP INDEX notifications_unread_idx`);
    await runner.query(
      `CREATE INDEX notifications_inbox_idx ON notifications (org_id, user_id, created_at DESC, id DESC) WHERE in_app`,
    );
    await runner.query(
      `CREATE INDEX notifications_unread_idx ON notifications (org_id, user_id, created_at DESC, id DESC) WHERE in_app AND read_at IS NULL`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX notifications_inbox_idx`);
    await runner.query(`DROP INDEX notifications_unread_idx`);
    await runner.query(
      `CREATE INDEX notifications_inbox_idx ON notifications (org_id, user_id, created_at DESC, id DESC)`,
    );
    await runner.query(
      `CREATE INDEX notifications_unread_idx ON notifications (org_id, user_id, created_at DESC, id DESC) WHERE read_at IS NULL`,
    );
    await runner.query(`ALTER TABLE notifications DROP COLUMN in_app`);
  }
}
