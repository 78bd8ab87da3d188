import { OutboundServiceConfig } from '@smartbeak/config';
import { IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';

export const SERVICE_NAME = 'publishing';

export class PublishingConfig extends OutboundServiceConfig {
  /**
   * Credential keys: comma-separated `<id>:<base64 of 32 bytes>`. The first
   * encrypts; every one decrypts (rotation: put the new key first, run
   * `main.js rotate-credentials`, then drop the old one).
   */
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,20}:[A-Za-z0-9+/=]{43,44}(,[A-Za-z0-9_-]{1,20}:[A-Za-z0-9+/=]{43,44})*$/, {
    message: 'PUBLISHING_ENCRYPTION_KEYS must be id:base64key[,id:base64key…] with 32-byte keys',
  })
  PUBLISHING_ENCRYPTION_KEYS!: string;

  @IsString()
  @Matches(/^https?:\/\/[^\s]+[^/]$/, {
    message: 'LINKEDIN_API_URL must be an http(s) URL without a trailing slash',
  })
  LINKEDIN_API_URL: string = 'https://api.linkedin.com';

  /** The `LinkedIn-Version` header (YYYYMM). */
  @Matches(/^\d{6}$/)
  LINKEDIN_VERSION: string = '202411';

  /** SMTP for email targets (`smtp://user:pass@host:port`, `smtps://…`); SES and SendGrid offer SMTP. */
  @IsOptional()
  @Matches(/^smtps?:\/\//, { message: 'SMTP_URL must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;

  /**
   * The sender of email targets whose `from` is not an address of the item's
   * own site; the target's address becomes Reply-To (adapters/email.adapter.ts).
   */
  @IsString()
  @Length(3, 200)
  EMAIL_PLATFORM_SENDER: string = 'SmartBeak <no-reply@smartbeak.app>';

  /** Tries of a job with transient errors before it goes to the dead-letter queue. */
  @IsInt()
  @Min(1)
  @Max(20)
  PUBLISHING_MAX_ATTEMPTS: number = 5;

  /** First retry delay; each next one doubles (with jitter). */
  @IsInt()
  @Min(10)
  PUBLISHING_BACKOFF_MS: number = 5_000;

  /** Jobs one worker process runs at once. */
  @IsInt()
  @Min(1)
  @Max(500)
  PUBLISHING_WORKER_CONCURRENCY: number = 32;

  /**
   * Most jobs one statement claims or settles: a worker's jobs that reach
   * PostgreSQL while another batch is in flight go together (1: one statement
   * per job).
   */
  @IsInt()
  @Min(1)
  @Max(500)
  PUBLISHING_STATEMENT_BATCH: number = 64;

  /** Calls in flight per destination type in one worker: a slow one cannot starve the others. */
  @IsInt()
  @Min(1)
  PUBLISHING_CONCURRENCY_WORDPRESS: number = 16;

  @IsInt()
  @Min(1)
  PUBLISHING_CONCURRENCY_LINKEDIN: number = 8;

  @IsInt()
  @Min(1)
  PUBLISHING_CONCURRENCY_EMAIL: number = 8;

  /** A job whose worker stopped answering is taken over after this long. */
  @IsInt()
  @Min(1_000)
  PUBLISHING_STALLED_MS: number = 30_000;

  /** How often the sweeper looks for jobs that should be running but are not. */
  @IsInt()
  @Min(1_000)
  PUBLISHING_SWEEP_EVERY_MS: number = 60_000;
}
