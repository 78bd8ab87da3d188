import { Repository, type SystemScope } from '@smartbeak/persistence';

import { ASSET_COLUMNS, type AssetRow } from './asset-rows';

/** Media assets across every org, on purpose: the storage webhook's lookup and the sweep. */
export class AssetsSystem extends Repository {
  /** The live asset stored under `key` (a storage notification names only the key). */
  byStorageKey(_scope: SystemScope, key: string): Promise<AssetRow | undefined> {
    return this.sql.one<AssetRow>(
      `SELECT ${ASSET_COLUMNS} FROM media_assets WHERE storage_key = $1 AND deleted_at IS NULL`,
      [key],
    );
  }

  /** Intents not completed within `hours`: marked expired; their keys, to remove the objects. */
  expirePending(
    _scope: SystemScope,
    hours: number,
    batch: number,
  ): Promise<{ id: string; storageKey: string }[]> {
    return this.sql.rows(
      `UPDATE media_assets SET status = 'expired', failure_reason = 'the upload was not completed in time', updated_at = now()
        WHERE id IN (SELECT id FROM media_assets WHERE status = 'pending_upload' AND created_at < now() - make_interval(hours => $1)
                     ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)
        RETURNING id, storage_key AS "storageKey"`,
      [hours, batch],
    );
  }

  /** Deleted assets whose object is still in storage. */
  orphans(_scope: SystemScope, batch: number): Promise<{ id: string; storageKey: string }[]> {
    return this.sql.rows(
      `SELECT id, storage_key AS "storageKey" FROM media_assets
        WHERE deleted_at IS NOT NULL AND object_deleted_at IS NULL ORDER BY deleted_at LIMIT $1`,
      [batch],
    );
  }

  async markObjectDeleted(_scope: SystemScope, id: string): Promise<void> {
    await this.sql.run(`UPDATE media_assets SET object_deleted_at = now() WHERE id = $1`, [id]);
  }
}
