import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** Who asked for the upload: told when it is rejected (assets made before this have none). */
export class AssetUploader1796200000000 implements MigrationInterface {
  name = 'AssetUploader1796200000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE media_assets ADD COLUMN created_by varchar(100)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE media_assets DROP COLUMN created_by`);
  }
}
