import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * A member's permissions as their latest token said (Clerk puts them in the
 * session token, not in membership webhooks): who may review, who is admin —
 * what notifications asks when it picks recipients.
 */
export class MembershipPermissions1796200000000 implements MigrationInterface {
  name = 'MembershipPermissions1796200000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE memberships ADD COLUMN permissions text[] NOT NULL DEFAULT '{}'`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE memberships DROP COLUMN permissions`);
  }
}
