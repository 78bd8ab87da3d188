import { type MediaAssetDto, type MediaStatus } from '@smartbeak/contracts';

/** A `media_assets` row as the service reads it. */
export interface AssetRow {
  id: string;
  orgId: string;
  domainId: string;
  /** As the user named it (shown back); the storage key uses a sanitised copy. */
  filename: string;
  contentType: string;
  declaredSize: number;
  actualSize: number | null;
  /** The object's ETag as storage reported it. */
  checksum: string | null;
  storageKey: string;
  status: MediaStatus;
  cdnUrl: string | null;
  failureReason: string | null;
  uploadExpiresAt: Date;
  /** Who asked for the upload (null on assets older than the column). */
  createdBy: string | null;
  completedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

// bigint columns come back as strings from pg: read them as numbers (sizes fit in 2^53).
export const ASSET_COLUMNS = `id, org_id AS "orgId", domain_id AS "domainId", filename, content_type AS "contentType",
  declared_size::float8 AS "declaredSize", actual_size::float8 AS "actualSize", checksum, storage_key AS "storageKey",
  status, cdn_url AS "cdnUrl", failure_reason AS "failureReason", upload_expires_at AS "uploadExpiresAt",
  created_by AS "createdBy", completed_at AS "completedAt", created_at AS "createdAt", updated_at AS "updatedAt"`;

export function toMediaAssetDto(row: AssetRow): MediaAssetDto {
  return {
    id: row.id,
    domainId: row.domainId,
    filename: row.filename,
    contentType: row.contentType,
    size: row.declaredSize,
    status: row.status,
    key: row.storageKey,
    cdnUrl: row.status === 'ready' ? row.cdnUrl : null,
    checksum: row.checksum,
    failureReason: row.failureReason,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
