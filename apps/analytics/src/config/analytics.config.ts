import { ServiceConfig, toBoolean } from '@smartbeak/config';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';

export const SERVICE_NAME = 'analytics';

/**
 * The seed's retention table (docs/analytics.md § Retention). Fixed, not
 * settings: each tier is rebuilt from the one below it, which only works
 * while raw < hourly < daily.
 */
export const RETENTION = { rawDays: 30, hourlyDays: 90, dailyDays: 365 } as const;

/** analytics's settings beside the common service ones; every field is in the README's env table. */
export class AnalyticsConfig extends ServiceConfig {
  /** Run the usage batcher in this process (false: a reports-only replica). */
  @Transform(toBoolean)
  @IsBoolean()
  ANALYTICS_INGEST: boolean = true;

  /** Events per batch write (the batcher writes when it holds this many, or after ANALYTICS_BATCH_WAIT_MS). */
  @IsInt()
  @Min(1)
  @Max(10_000)
  ANALYTICS_BATCH_SIZE: number = 500;

  /** The longest an event waits in the buffer before its batch is written. */
  @IsInt()
  @Min(1)
  @Max(60_000)
  ANALYTICS_BATCH_WAIT_MS: number = 250;

  /**
   * How long a batcher holds a job before another may take it: after a crash
   * its unacknowledged events are handed out again within about twice this.
   */
  @IsInt()
  @Min(1_000)
  @Max(600_000)
  ANALYTICS_LOCK_MS: number = 30_000;

  /** How often the rollups run (hourly, then daily, then monthly, for the buckets that changed). */
  @IsInt()
  @Min(100)
  ANALYTICS_ROLLUP_EVERY_MS: number = 60_000;

  /** How often partitions are made ahead and retention runs. */
  @IsInt()
  @Min(1_000)
  ANALYTICS_MAINTENANCE_EVERY_MS: number = 3_600_000;

  /** Day partitions of events_raw made ahead of today. */
  @IsInt()
  @Min(1)
  @Max(60)
  ANALYTICS_PARTITIONS_AHEAD_DAYS: number = 3;

  /** Reports read here when set (a read replica of the analytics database); the primary otherwise. */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\//, { message: 'ANALYTICS_READ_DATABASE_URL must be a postgres:// URL' })
  ANALYTICS_READ_DATABASE_URL?: string;

  /** How long a report's pre-aggregated part stays cached in Redis (a rollup touching the org clears it sooner). */
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  ANALYTICS_REPORT_CACHE_TTL_MS: number = 30_000;
}
