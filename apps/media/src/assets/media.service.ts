import { randomUUID } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';
import { DomainAccess, requirePermissions } from '@smartbeak/auth';
import { splitList } from '@smartbeak/config';
import {
  type CreateUploadIntentDto,
  type ListMediaQueryDto,
  type MediaAssetDto,
  MediaError,
  type Page,
  type RequestContext,
  type UploadIntentDto,
} from '@smartbeak/contracts';
import { DomainError } from '@smartbeak/errors';
import { Database, mapPage, orgScope, scopeOf, systemScope } from '@smartbeak/persistence';
import { SERVICE_CONFIG, SERVICE_REDIS } from '@smartbeak/runtime';

import { MediaConfig } from '../config/media.config';
import { MEDIA_STORAGE } from '../media.tokens';
import { CONTENT_SIGNATURES, matchesContentType, SIGNATURE_BYTES } from '../storage/content-signature';
import { StorageService } from '../storage/storage.service';
import { storageKey } from '../storage/storage-key';
import { type AssetRow, toMediaAssetDto } from './asset-rows';
import { AssetsRepository, type CheckedFields } from './assets.repository';
import { AssetsSystem } from './assets.system';
import { verifyWebhookSignature, WEBHOOK_TOLERANCE_SECONDS } from './webhook-signature';
import { type RedisClient } from '@smartbeak/messaging';

const STORAGE_WEBHOOK = systemScope('storage webhook: an upload names only its key');

/** Upload intents, completion checks, reads and deletes of the media library. */
@Injectable()
export class MediaService {
  private readonly allowedTypes: Set<string>;

  constructor(
    private readonly db: Database,
    private readonly assets: AssetsRepository,
    private readonly system: AssetsSystem,
    @Inject(SERVICE_CONFIG) private readonly config: MediaConfig,
    @Inject(MEDIA_STORAGE) private readonly storage: StorageService,
    @Inject(SERVICE_REDIS) private readonly redis: RedisClient,
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
    const asset = await this.assets.insert(scopeOf(ctx), {
      id,
      domainId: domain.id,
      filename: input.filename,
      contentType: input.contentType,
      declaredSize: input.size,
      storageKey: key,
      createdBy: ctx.userId,
      uploadExpiresAt: expiresAt,
    });
    const url = await this.storage.presignPut(
      key,
      input.contentType,
      input.size,
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
    const asset = await this.require(ctx, id);
    await this.domains.resolve(ctx, asset.domainId); // a suspended domain's library is read-only
    return toMediaAssetDto(await this.verify(asset));
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
      const asset = await this.system.byStorageKey(STORAGE_WEBHOOK, key);
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
    const domainId = query.domainId ?? ctx.domainId;
    const page = await this.assets.list(scopeOf(ctx), {
      domainId: domainId ? (await this.domains.resolve(ctx, domainId)).id : undefined,
      status: query.status,
      limit: query.limit,
      cursor: query.cursor,
    });
    return mapPage(page, toMediaAssetDto);
  }

  /** Soft delete: gone from the API at once; the sweep removes the object. */
  async delete(ctx: RequestContext, id: string): Promise<void> {
    requirePermissions(ctx, 'media:write');
    const asset = await this.require(ctx, id);
    await this.domains.resolve(ctx, asset.domainId);
    await this.db.transaction((tx) => this.assets.in(tx).softDelete(scopeOf(ctx), asset));
  }

  private async require(ctx: RequestContext, id: string): Promise<AssetRow> {
    const asset = await this.assets.find(scopeOf(ctx), id);
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
  private async verify(asset: AssetRow): Promise<AssetRow> {
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

  private transition(
    asset: AssetRow,
    status: 'ready' | 'failed' | 'expired',
    fields: CheckedFields,
  ): Promise<AssetRow> {
    return this.db.transaction((tx) =>
      this.assets.in(tx).settle(orgScope(asset.orgId), asset.id, status, fields),
    );
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
