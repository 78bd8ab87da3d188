import { randomUUID } from 'node:crypto';

import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DomainAccess, requirePermissions } from '@smartbeak/auth';
import { splitList } from '@smartbeak/config';
import {
  type CreateUploadIntentDto,
  Events,
  type ListMediaQueryDto,
  type MediaAssetDto,
  MediaError,
  type Page,
  type RequestContext,
  type UploadIntentDto,
} from '@smartbeak/contracts';
import { DomainError } from '@smartbeak/errors';
import { appendToOutbox } from '@smartbeak/messaging';
import { keysetPage } from '@smartbeak/persistence';
import { SERVICE_CONFIG, SERVICE_REDIS } from '@smartbeak/runtime';
import type Redis from 'ioredis';
import { DataSource, IsNull } from 'typeorm';

import { MediaConfig } from '../config/media.config';
import { MEDIA_STORAGE } from '../media.tokens';
import { CONTENT_SIGNATURES, matchesContentType, SIGNATURE_BYTES } from '../storage/content-signature';
import { StorageService } from '../storage/storage.service';
import { storageKey } from '../storage/storage-key';
import { MediaAssetEntity } from './media-asset.entity';
import { verifyWebhookSignature, WEBHOOK_TOLERANCE_SECONDS } from './webhook-signature';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class MediaService {
  private readonly logger = new Logger(MediaService.name);
  private readonly allowedTypes: Set<string>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SERVICE_CONFIG) private readonly config: MediaConfig,
    @Inject(MEDIA_STORAGE) private readonly storage: StorageService,
    @Inject(SERVICE_REDIS) private readonly redis: Redis,
    private readonly domains: DomainAccess,
  ) {
    this.allowedTypes = allowedTypesOf(config);
  }

  /** Records the asset `pending_upload` and hands out a pre-signed PUT for exactly that key and type. */
  async createUploadIntent(ctx: RequestContext, input: CreateUploadIntentDto): Promise<UploadIntentDto> {
    requirePermissions(ctx, 'media:write');
    const domain = await this.domains.resolve(ctx, input.domainId);
    if (!this.allowedTypes.has(input.contentType)) {
      throw new DomainError(MediaError.TYPE_NOT_ALLOWED, `Uploads of ${input.contentType} are not allowed`, [
        { field: 'contentType', message: `must be one of ${[...this.allowedTypes].join(', ')}` },
      ]);
    }
    if (input.size > this.config.MEDIA_MAX_BYTES) {
      throw new DomainError(
        MediaError.TOO_LARGE,
        `Files may be at most ${this.config.MEDIA_MAX_BYTES} bytes`,
        [{ field: 'size', message: `must be at most ${this.config.MEDIA_MAX_BYTES}` }],
        { limit: this.config.MEDIA_MAX_BYTES },
      );
    }
    const id = randomUUID();
    const key = storageKey(ctx.orgId, domain.id, id, input.filename);
    const expiresAt = new Date(Date.now() + this.config.MEDIA_UPLOAD_URL_TTL_SECONDS * 1000);
    const repo = this.dataSource.getRepository(MediaAssetEntity);
    const asset = await repo.save(
      repo.create({
        id,
        orgId: ctx.orgId,
        domainId: domain.id,
        filename: input.filename,
        contentType: input.contentType,
        declaredSize: input.size,
        storageKey: key,
        status: 'pending_upload',
        uploadExpiresAt: expiresAt,
      }),
    );
    const url = await this.storage.presignPut(
      key,
      input.contentType,
      this.config.MEDIA_UPLOAD_URL_TTL_SECONDS,
    );
    return {
      asset: toMediaAssetDto(asset),
      upload: {
        url,
        method: 'PUT',
        headers: { 'Content-Type': input.contentType },
        expiresAt: expiresAt.toISOString(),
      },
    };
  }

  /** The client says it uploaded: check the object, then `ready` (idempotent). */
  async complete(ctx: RequestContext, id: string): Promise<MediaAssetDto> {
    requirePermissions(ctx, 'media:write');
    return toMediaAssetDto(await this.verify(await this.require(ctx, id)));
  }

  /** A storage notification: signed, fresh and never seen before, or refused with nothing changed. */
  async applyStorageWebhook(body: string, signature: string): Promise<{ processed: number }> {
    const secret = this.config.MEDIA_WEBHOOK_SECRET;
    const verified = secret ? verifyWebhookSignature(secret, signature, body) : null;
    if (!verified)
      throw new DomainError(
        MediaError.WEBHOOK_SIGNATURE_INVALID,
        'The storage notification signature is missing, invalid or too old',
      );
    const fresh = await this.redis.set(
      `${this.config.REDIS_PREFIX}:media:webhook:${verified}`,
      '1',
      'EX',
      WEBHOOK_TOLERANCE_SECONDS * 2,
      'NX',
    );
    if (fresh !== 'OK')
      throw new DomainError(
        MediaError.WEBHOOK_SIGNATURE_INVALID,
        'This storage notification was already delivered',
      );

    let processed = 0;
    for (const key of createdKeysOf(body)) {
      const asset = await this.dataSource
        .getRepository(MediaAssetEntity)
        .findOne({ where: { storageKey: key, deletedAt: IsNull() } });
      if (!asset) continue; // not ours (or deleted): nothing to do
      await this.verify(asset).catch((error: unknown) => {
        if (!(error instanceof DomainError)) throw error;
      });
      processed++;
    }
    return { processed };
  }

  async get(ctx: RequestContext, id: string): Promise<MediaAssetDto> {
    requirePermissions(ctx, 'content:read');
    return toMediaAssetDto(await this.require(ctx, id));
  }

  async list(ctx: RequestContext, query: ListMediaQueryDto): Promise<Page<MediaAssetDto>> {
    requirePermissions(ctx, 'content:read');
    const qb = this.dataSource
      .getRepository(MediaAssetEntity)
      .createQueryBuilder('m')
      .where('m.org_id = :orgId AND m.deleted_at IS NULL', { orgId: ctx.orgId });
    const domainId = query.domainId ?? ctx.domainId;
    if (domainId)
      qb.andWhere('m.domain_id = :domainId', { domainId: (await this.domains.resolve(ctx, domainId)).id });
    if (query.status) qb.andWhere('m.status = :status', { status: query.status });
    const page = await keysetPage(qb, {
      sortColumn: 'm.created_at',
      idColumn: 'm.id',
      keyOf: (row) => [row.createdAt, row.id],
      limit: query.limit,
      cursor: query.cursor,
    });
    return { items: page.items.map(toMediaAssetDto), nextCursor: page.nextCursor };
  }

  /** Soft delete: gone from the API at once; the sweep removes the object. */
  async delete(ctx: RequestContext, id: string): Promise<void> {
    requirePermissions(ctx, 'media:write');
    const asset = await this.require(ctx, id);
    await this.dataSource.transaction(async (manager) => {
      await manager.update(
        MediaAssetEntity,
        { id: asset.id, deletedAt: IsNull() },
        { deletedAt: new Date() },
      );
      await appendToOutbox(manager, [
        {
          type: Events.media.assetDeleted,
          aggregateId: asset.id,
          orgId: asset.orgId,
          domainId: asset.domainId,
          payload: { id: asset.id, key: asset.storageKey },
        },
      ]);
    });
  }

  /**
   * Expires intents never completed, and removes the objects of deleted or
   * expired assets. Returns what it did; safe to run on several replicas.
   */
  async sweep(batch = 200): Promise<{ expired: number; objectsRemoved: number }> {
    const stale: MediaAssetEntity[] = await this.dataSource
      .query(
        `UPDATE media_assets SET status = 'expired', failure_reason = 'the upload was not completed in time', updated_at = now()
        WHERE id IN (SELECT id FROM media_assets WHERE status = 'pending_upload' AND created_at < now() - make_interval(hours => $1)
                     ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)
        RETURNING id, storage_key AS "storageKey"`,
        [this.config.MEDIA_PENDING_EXPIRY_HOURS, batch],
      )
      .then((result: [MediaAssetEntity[], number]) => result[0]);
    for (const asset of stale) await this.storage.delete(asset.storageKey);

    const orphans: { id: string; storage_key: string }[] = await this.dataSource.query(
      `SELECT id, storage_key FROM media_assets WHERE deleted_at IS NOT NULL AND object_deleted_at IS NULL ORDER BY deleted_at LIMIT $1`,
      [batch],
    );
    for (const orphan of orphans) {
      await this.storage.delete(orphan.storage_key);
      await this.dataSource.query(`UPDATE media_assets SET object_deleted_at = now() WHERE id = $1`, [
        orphan.id,
      ]);
    }
    if (stale.length || orphans.length)
      this.logger.log(`sweep: ${stale.length} expired, ${orphans.length} objects removed`);
    return { expired: stale.length, objectsRemoved: orphans.length };
  }

  private async require(ctx: RequestContext, id: string): Promise<MediaAssetEntity> {
    const asset = UUID.test(id)
      ? await this.dataSource
          .getRepository(MediaAssetEntity)
          .findOne({ where: { id, orgId: ctx.orgId, deletedAt: IsNull() } })
      : null;
    if (!asset) throw new DomainError(MediaError.ASSET_NOT_FOUND, 'Media asset not found');
    return asset;
  }

  /**
   * The service's own checks are the guard (a local S3 stand-in may accept
   * what real S3 refuses): the object exists, has the declared size, and
   * starts like the declared type. A file that fails is deleted and the
   * asset marked failed. Storage is read outside any transaction; the state
   * change is conditional, so a client completion racing the webhook ends
   * with one `ready` and one event.
   */
  private async verify(asset: MediaAssetEntity): Promise<MediaAssetEntity> {
    if (asset.status === 'ready') return asset;
    if (asset.status === 'failed')
      throw new DomainError(
        MediaError.VERIFICATION_FAILED,
        asset.failureReason ?? 'The upload failed its checks',
      );
    if (asset.status === 'expired')
      throw new DomainError(MediaError.INTENT_EXPIRED, 'This upload intent has expired; create a new one');

    const object = await this.storage.head(asset.storageKey);
    if (!object) {
      if (asset.uploadExpiresAt.getTime() < Date.now()) {
        await this.transition(asset, 'expired', {
          failureReason: 'the upload URL expired before anything was uploaded',
        });
        throw new DomainError(
          MediaError.INTENT_EXPIRED,
          'The upload URL expired before anything was uploaded; create a new intent',
        );
      }
      throw new DomainError(MediaError.NOT_UPLOADED, 'Nothing has been uploaded for this asset yet');
    }
    let failure: string | null = null;
    if (object.size !== asset.declaredSize) {
      failure = `the uploaded file has ${object.size} bytes, ${asset.declaredSize} were declared`;
    } else if (
      !matchesContentType(asset.contentType, await this.storage.readStart(asset.storageKey, SIGNATURE_BYTES))
    ) {
      failure = `the uploaded file is not ${asset.contentType}`;
    }
    if (failure) {
      await this.storage.delete(asset.storageKey);
      const failed = await this.transition(asset, 'failed', {
        failureReason: failure,
        actualSize: object.size,
      });
      throw new DomainError(MediaError.VERIFICATION_FAILED, failed.failureReason ?? failure);
    }
    return this.transition(asset, 'ready', {
      actualSize: object.size,
      checksum: object.etag,
      cdnUrl: `${this.config.CDN_BASE_URL}/${asset.storageKey.split('/').map(encodeURIComponent).join('/')}`,
      completedAt: new Date(),
    });
  }

  private async transition(
    asset: MediaAssetEntity,
    status: 'ready' | 'failed' | 'expired',
    fields: Partial<MediaAssetEntity>,
  ): Promise<MediaAssetEntity> {
    return this.dataSource.transaction(async (manager) => {
      const result = await manager.update(
        MediaAssetEntity,
        { id: asset.id, status: 'pending_upload' },
        { ...fields, status },
      );
      const current = await manager.findOneOrFail(MediaAssetEntity, { where: { id: asset.id } });
      if (result.affected && status === 'ready') {
        await appendToOutbox(manager, [
          {
            type: Events.media.assetReady,
            aggregateId: asset.id,
            orgId: asset.orgId,
            domainId: asset.domainId,
            payload: {
              id: asset.id,
              key: current.storageKey,
              cdnUrl: current.cdnUrl,
              contentType: current.contentType,
              size: current.actualSize,
            },
          },
        ]);
      }
      return current;
    });
  }
}

/** Keys of objects an S3-style event notification reports as created (keys arrive URL-encoded). */
export function createdKeysOf(body: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw DomainError.validation([{ field: 'body', message: 'the notification is not JSON' }]);
  }
  const records = (parsed as { Records?: unknown }).Records;
  if (!Array.isArray(records))
    throw DomainError.validation([
      { field: 'Records', message: 'an S3 event notification with Records is expected' },
    ]);
  return records
    .filter((record) => typeof record?.eventName === 'string' && /ObjectCreated/.test(record.eventName))
    .map((record) => record?.s3?.object?.key)
    .filter((key): key is string => typeof key === 'string')
    .map((key) => decodeURIComponent(key.replace(/\+/g, ' ')));
}

export function allowedTypesOf(config: MediaConfig): Set<string> {
  const types = splitList(config.MEDIA_ALLOWED_TYPES).map((type) => type.toLowerCase());
  const unknown = types.filter((type) => !CONTENT_SIGNATURES[type]);
  if (unknown.length) throw new Error(`MEDIA_ALLOWED_TYPES: no content check for ${unknown.join(', ')}`);
  return new Set(types);
}

export function toMediaAssetDto(row: MediaAssetEntity): MediaAssetDto {
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
