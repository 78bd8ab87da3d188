import { Events, type MediaStatus, type Page } from '@smartbeak/contracts';
import { appendToOutbox } from '@smartbeak/messaging';
import { isUuid, newestFirst, orgFilter, Repository, type TenantScope, Where } from '@smartbeak/persistence';

import { ASSET_COLUMNS, type AssetRow } from './asset-rows';

export interface NewAsset {
  id: string;
  domainId: string;
  filename: string;
  contentType: string;
  declaredSize: number;
  storageKey: string;
  uploadExpiresAt: Date;
  createdBy: string;
}

/** What a completion check sets beside the status. */
export interface CheckedFields {
  actualSize?: number;
  checksum?: string | null;
  cdnUrl?: string;
  failureReason?: string;
  completedAt?: Date;
}

/** Media assets, within one org. Sweeps and the storage-webhook lookup: assets.system.ts. */
export class AssetsRepository extends Repository {
  async insert(scope: TenantScope, asset: NewAsset): Promise<AssetRow> {
    const row = await this.sql.one<AssetRow>(
      `INSERT INTO media_assets (id, org_id, domain_id, filename, content_type, declared_size, storage_key, status,
                                 upload_expires_at, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending_upload', $8, $9) RETURNING ${ASSET_COLUMNS}`,
      [
        asset.id,
        scope.orgId,
        asset.domainId,
        asset.filename,
        asset.contentType,
        asset.declaredSize,
        asset.storageKey,
        asset.uploadExpiresAt,
        asset.createdBy,
      ],
    );
    return row!;
  }

  /** A live (not deleted) asset of the org. */
  async find(scope: TenantScope, id: string): Promise<AssetRow | undefined> {
    if (!isUuid(id)) return undefined;
    return this.sql.one<AssetRow>(
      `SELECT ${ASSET_COLUMNS} FROM media_assets WHERE id = $1 AND ${orgFilter('org_id', '$2')} AND deleted_at IS NULL`,
      [id, scope.orgId],
    );
  }

  list(
    scope: TenantScope,
    filters: { domainId?: string; status?: MediaStatus; limit?: number; cursor?: string },
  ): Promise<Page<AssetRow>> {
    const where = new Where().add('org_id = ?', scope.orgId).add('deleted_at IS NULL');
    if (filters.domainId) where.add('domain_id = ?', filters.domainId);
    if (filters.status) where.add('status = ?', filters.status);
    return newestFirst<AssetRow>(this.sql, `SELECT ${ASSET_COLUMNS} FROM media_assets`, where, filters);
  }

  /** Soft delete with its event; call inside a transaction (`in(tx)`). */
  async softDelete(scope: TenantScope, asset: AssetRow): Promise<void> {
    const deleted = await this.sql.run(
      `UPDATE media_assets SET deleted_at = now(), updated_at = now()
        WHERE id = $1 AND ${orgFilter('org_id', '$2')} AND deleted_at IS NULL`,
      [asset.id, scope.orgId],
    );
    if (!deleted) return;
    await appendToOutbox(this.sql, [
      {
        type: Events.media.assetDeleted,
        aggregateId: asset.id,
        orgId: scope.orgId,
        domainId: asset.domainId,
        // Its size, for the storage meter (analytics' media.bytes_deleted).
        payload: {
          id: asset.id,
          key: asset.storageKey,
          size: asset.status === 'ready' ? asset.actualSize : null,
        },
      },
    ]);
  }

  /**
   * Moves a `pending_upload` asset to `status` (conditional: a completion
   * racing another ends with one move and one `media.asset.ready` event);
   * returns the row as it is now. Call inside a transaction (`in(tx)`).
   */
  async settle(
    scope: TenantScope,
    id: string,
    status: 'ready' | 'failed' | 'expired',
    fields: CheckedFields,
  ): Promise<AssetRow> {
    const moved = await this.sql.one<AssetRow>(
      `UPDATE media_assets SET status = $3, actual_size = COALESCE($4, actual_size), checksum = COALESCE($5, checksum),
              cdn_url = COALESCE($6, cdn_url), failure_reason = COALESCE($7, failure_reason),
              completed_at = COALESCE($8, completed_at), updated_at = now()
        WHERE id = $1 AND ${orgFilter('org_id', '$2')} AND status = 'pending_upload' RETURNING ${ASSET_COLUMNS}`,
      [
        id,
        scope.orgId,
        status,
        fields.actualSize ?? null,
        fields.checksum ?? null,
        fields.cdnUrl ?? null,
        fields.failureReason ?? null,
        fields.completedAt ?? null,
      ],
    );
    if (moved && status === 'failed') {
      await appendToOutbox(this.sql, [
        {
          type: Events.media.assetRejected,
          aggregateId: moved.id,
          orgId: scope.orgId,
          domainId: moved.domainId,
          payload: {
            id: moved.id,
            filename: moved.filename,
            reason: moved.failureReason,
            createdBy: moved.createdBy,
          },
        },
      ]);
    }
    if (moved && status === 'ready') {
      await appendToOutbox(this.sql, [
        {
          type: Events.media.assetReady,
          aggregateId: moved.id,
          orgId: scope.orgId,
          domainId: moved.domainId,
          payload: {
            id: moved.id,
            key: moved.storageKey,
            cdnUrl: moved.cdnUrl,
            contentType: moved.contentType,
            size: moved.actualSize,
          },
        },
      ]);
    }
    return (
      moved ??
      (await this.sql.one<AssetRow>(
        `SELECT ${ASSET_COLUMNS} FROM media_assets WHERE id = $1 AND ${orgFilter('org_id', '$2')}`,
        [id, scope.orgId],
      ))!
    );
  }
}
