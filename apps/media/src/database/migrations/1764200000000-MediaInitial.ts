import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class MediaInitial1764200000000 implements MigrationInterface {
  name = 'MediaInitial1764200000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE media_assets (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id varchar(100) NOT NULL,
        domain_id uuid NOT NULL,
        filename varchar(255) NOT NULL,
        content_type varchar(255) NOT NULL,
        declared_size bigint NOT NULL CHECK (declared_size > 0),
        actual_size bigint,
        checksum varchar(128),
        storage_key varchar(1024) NOT NULL,
        status varchar(20) NOT NULL CHECK (status IN ('pending_upload', 'ready', 'failed', 'expired')),
        cdn_url text,
        failure_reason text,
        upload_expires_at timestamptz(3) NOT NULL,
        completed_at timestamptz(3),
        deleted_at timestamptz(3),
        object_deleted_at timestamptz(3),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT media_assets_storage_key_key UNIQUE (storage_key)
      )`);
    await runner.query(
      `CREATE INDEX media_assets_page_idx ON media_assets (org_id, domain_id, created_at DESC, id DESC) WHERE deleted_at IS NULL`,
    );
    await runner.query(
      `CREATE INDEX media_assets_org_page_idx ON media_assets (org_id, created_at DESC, id DESC) WHERE deleted_at IS NULL`,
    );
    await runner.query(
      `CREATE INDEX media_assets_pending_idx ON media_assets (created_at) WHERE status = 'pending_upload'`,
    );
    await runner.query(
      `CREATE INDEX media_assets_orphan_idx ON media_assets (deleted_at) WHERE deleted_at IS NOT NULL AND object_deleted_at IS NULL`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE media_assets`);
  }
}
