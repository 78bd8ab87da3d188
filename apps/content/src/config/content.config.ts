import { ServiceConfig } from '@smartbeak/config';
import { IsInt, Max, Min } from 'class-validator';

export const SERVICE_NAME = 'content';

/** Retention (docs/architecture.md § Data rules) and the cadence of the jobs that apply it. */
export class ContentConfig extends ServiceConfig {
  /** A draft untouched this long is archived by the retention sweep. */
  @IsInt()
  @Min(1)
  CONTENT_DRAFT_IDLE_DAYS: number = 90;

  /** A soft-deleted item is purged (with its events and revisions) after this long. */
  @IsInt()
  @Min(1)
  CONTENT_PURGE_AFTER_DAYS: number = 30;

  /** An item archived this long is marked cold. */
  @IsInt()
  @Min(1)
  CONTENT_COLD_AFTER_DAYS: number = 365;

  /** How often the retention sweep runs. */
  @IsInt()
  @Min(1_000)
  CONTENT_RETENTION_EVERY_MS: number = 60 * 60 * 1000;

  /**
   * How often scheduled items past their time are looked for — the safety
   * net behind each item's own delayed job (a lost job, a flushed Redis).
   */
  @IsInt()
  @Min(1_000)
  CONTENT_DUE_SWEEP_EVERY_MS: number = 30_000;

  /** Default edit-lock lease. */
  @IsInt()
  @Min(10)
  @Max(3600)
  CONTENT_LOCK_TTL_SECONDS: number = 300;
}
