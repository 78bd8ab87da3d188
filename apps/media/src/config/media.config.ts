import { ServiceConfig, toBoolean } from '@smartbeak/config';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

export const SERVICE_NAME = 'media';

export class MediaConfig extends ServiceConfig {
  /** S3-compatible endpoint (R2, MinIO, the local server); unset means AWS S3 itself. */
  @IsOptional()
  @Matches(/^https?:\/\//, { message: 'S3_ENDPOINT must be an http(s) URL' })
  S3_ENDPOINT?: string;

  @IsString()
  S3_REGION: string = 'us-east-1';

  @IsString()
  @Matches(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: 'S3_BUCKET must be a valid bucket name' })
  S3_BUCKET!: string;

  /** Unset: the SDK's default credential chain (instance role, env, profile). */
  @IsOptional()
  @IsString()
  S3_ACCESS_KEY_ID?: string;

  @IsOptional()
  @IsString()
  S3_SECRET_ACCESS_KEY?: string;

  /** Path-style URLs (`endpoint/bucket/key`): MinIO and most local servers need it. */
  @Transform(toBoolean)
  @IsBoolean()
  S3_FORCE_PATH_STYLE: boolean = false;

  /** Public base URL objects are served from (the CDN in front of the bucket). */
  @Matches(/^https?:\/\/[^\s]+[^/]$/, {
    message: 'CDN_BASE_URL must be an http(s) URL without a trailing slash',
  })
  CDN_BASE_URL!: string;

  /** Comma-separated MIME types accepted for upload; each must be one the content check knows. */
  @IsString()
  MEDIA_ALLOWED_TYPES: string =
    'image/png,image/jpeg,image/gif,image/webp,image/avif,video/mp4,video/webm,video/quicktime,application/pdf';

  @IsInt()
  @Min(1)
  MEDIA_MAX_BYTES: number = 100 * 1024 * 1024;

  /** Lifetime of a pre-signed upload URL. */
  @IsInt()
  @Min(1)
  @Max(7 * 24 * 3600)
  MEDIA_UPLOAD_URL_TTL_SECONDS: number = 900;

  /** An upload intent not completed within this many hours is expired by the sweep. */
  @IsInt()
  @Min(1)
  MEDIA_PENDING_EXPIRY_HOURS: number = 24;

  /** How often the sweep (expired intents, objects of deleted assets) runs. */
  @IsInt()
  @Min(1_000)
  MEDIA_SWEEP_EVERY_MS: number = 15 * 60 * 1000;

  /** HMAC secret of storage notifications (`POST /api/media/webhooks/storage`); unset refuses them. */
  @IsOptional()
  @IsString()
  MEDIA_WEBHOOK_SECRET?: string;
}
