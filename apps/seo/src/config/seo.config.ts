import { OutboundServiceConfig } from '@smartbeak/config';
import { IsInt, IsNumber, IsString, Matches, Max, Min } from 'class-validator';

export const SERVICE_NAME = 'seo';

const URL_WITHOUT_SLASH = /^https?:\/\/[^\s]+[^/\s]$/;
const urlMessage = (name: string) => ({ message: `${name} must be an http(s) URL without a trailing slash` });

/** seo's settings beside the common service ones; every field is in the README's env table. */
export class SeoConfig extends OutboundServiceConfig {
  /** Seals source secrets (service-account keys, API keys): `id:base64key[,id:base64key…]`, 32-byte keys, first seals. */
  @IsString()
  @Matches(/^[A-Za-z0-9_-]+:[A-Za-z0-9+/=]{43,44}(,[A-Za-z0-9_-]+:[A-Za-z0-9+/=]{43,44})*$/, {
    message: 'SEO_ENCRYPTION_KEYS must be id:base64key[,id:base64key…] with 32-byte keys',
  })
  SEO_ENCRYPTION_KEYS!: string;

  @Matches(URL_WITHOUT_SLASH, urlMessage('GSC_API_BASE_URL'))
  GSC_API_BASE_URL: string = 'https://searchconsole.googleapis.com';

  /** Used for every service-account key whatever its token_uri (API.md § SEO). */
  @Matches(URL_WITHOUT_SLASH, urlMessage('GOOGLE_OAUTH_TOKEN_URL'))
  GOOGLE_OAUTH_TOKEN_URL: string = 'https://oauth2.googleapis.com/token';

  @Matches(URL_WITHOUT_SLASH, urlMessage('AHREFS_API_BASE_URL'))
  AHREFS_API_BASE_URL: string = 'https://api.ahrefs.com';

  /** How often each source is ingested (its runs are staggered across this period). */
  @IsInt()
  @Min(60_000)
  SEO_INGEST_EVERY_MS: number = 86_400_000;

  /** How far back a new GSC source backfills (Search Console keeps 16 months). */
  @IsInt()
  @Min(1)
  @Max(16)
  SEO_BACKFILL_MONTHS: number = 16;

  /** Days per window: each window is fetched whole, then written in one transaction. */
  @IsInt()
  @Min(1)
  @Max(90)
  SEO_WINDOW_DAYS: number = 7;

  /** Rows per searchanalytics.query page (the API's most: 25,000). */
  @IsInt()
  @Min(10)
  @Max(25_000)
  GSC_PAGE_ROWS: number = 25_000;

  /** Least time between two GSC calls for one property (Search Console allows 1,200 per minute per site). */
  @IsInt()
  @Min(0)
  GSC_MIN_INTERVAL_MS: number = 100;

  /** Rows per Ahrefs page (limit). */
  @IsInt()
  @Min(10)
  @Max(100_000)
  AHREFS_PAGE_ROWS: number = 1_000;

  /** The monthly Ahrefs unit budget of a source that sets none. */
  @IsInt()
  @Min(50)
  AHREFS_MONTHLY_UNIT_BUDGET: number = 100_000;

  /** Retries of a rate-limited or failing provider call, and the back-off's first and longest wait. */
  @IsInt()
  @Min(0)
  @Max(20)
  SEO_RETRIES: number = 6;

  @IsInt()
  @Min(1)
  SEO_RETRY_BASE_MS: number = 2_000;

  @IsInt()
  @Min(1)
  SEO_RETRY_MAX_MS: number = 120_000;

  /** An ingestion nothing has moved for this long is ended as failed (`stale`), freeing its source. */
  @IsInt()
  @Min(60_000)
  SEO_STALE_AFTER_MS: number = 1_800_000;

  /** How often the sweep for lost ingestions runs. */
  @IsInt()
  @Min(1_000)
  SEO_SWEEP_EVERY_MS: number = 300_000;

  /** Ingestions run at once by one process. */
  @IsInt()
  @Min(1)
  @Max(32)
  SEO_INGEST_CONCURRENCY: number = 2;

  /** A ranking drop: the 7-day average position worse by more than this many places. */
  @IsNumber()
  @Min(0.1)
  SEO_DROP_THRESHOLD: number = 3;

  /** Keywords need this many impressions in the 7 days to raise a ranking signal. */
  @IsInt()
  @Min(0)
  SEO_MIN_IMPRESSIONS: number = 100;

  /** A page losing clicks: at least this share fewer than the week before… */
  @IsNumber()
  @Min(0.01)
  @Max(1)
  SEO_PAGE_CLICK_LOSS: number = 0.3;

  /** …from at least this many clicks. */
  @IsInt()
  @Min(1)
  SEO_MIN_PAGE_CLICKS: number = 20;
}
