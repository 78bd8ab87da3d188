import {
  GoogleAccessTokens,
  type GoogleCredentials,
  GoogleTokenError,
  type OutboundPolicy,
  type OutboundResponse,
  outboundRequest,
} from '@smartbeak/outbound';

import { type RawRow } from '../ingestions/normalise';
import { fromOutbound, ProviderError, retryAfter, type RetryPolicy, withRetries } from './provider-error';

/** Read-only access is all ingestion needs. */
const SCOPE = 'https://www.googleapis.com/auth/webmasters.readonly';
/** The API's largest page (docs: rowLimit 1–25,000). */
export const GSC_MAX_ROWS = 25_000;

export interface GscSettings {
  apiBaseUrl: string;
  tokenUrl: string;
  pageRows: number;
  retry: RetryPolicy;
  /** Least time between two calls for one property (per-site QPM quota). */
  minIntervalMs: number;
}

export interface GscPage {
  rows: RawRow[];
  /** `metadata.firstIncompleteDate`: the first day whose data may still change. */
  firstIncompleteDate?: string;
}

/** Google's error body: `{ error: { code, message, status, errors: [{ reason, domain }] } }`. */
interface GoogleErrorBody {
  error?: { code?: number; message?: string; status?: string; errors?: { reason?: string }[] };
}

const RATE_LIMITED = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'RESOURCE_EXHAUSTED']);
const QUOTA_SPENT = new Set(['quotaExceeded', 'dailyLimitExceeded']);

/**
 * Search Console through libs/outbound (not the googleapis client: every
 * call goes through the outbound guard, with the configured base and token
 * URLs): `sites.get` to check a property, `searchanalytics.query` by date,
 * query and page in pages of `pageRows` with `startRow` until a short page.
 * Rate limits (429, `rateLimitExceeded`) are retried with back-off; a spent
 * daily quota (`quotaExceeded`) ends the ingestion, to be picked up by the
 * next run.
 */
export class GscClient {
  private readonly tokens: GoogleAccessTokens;
  private lastCall = 0;

  constructor(
    credentials: GoogleCredentials,
    private readonly property: string,
    private readonly settings: GscSettings,
    private readonly policy: OutboundPolicy,
  ) {
    this.tokens = new GoogleAccessTokens(credentials, { tokenUrl: settings.tokenUrl, scope: SCOPE }, policy);
  }

  private siteUrl(): string {
    return `${this.settings.apiBaseUrl}/webmasters/v3/sites/${encodeURIComponent(this.property)}`;
  }

  /** `sites.get`: the property exists and the credentials may read it. */
  async verify(): Promise<{ permissionLevel: string }> {
    const response = await this.call('GET', this.siteUrl());
    const body = response.json<{ permissionLevel?: string }>();
    if (body.permissionLevel === 'siteUnverifiedUser') {
      throw new ProviderError('auth', `GSC: the credentials are not a verified user of ${this.property}`);
    }
    return { permissionLevel: body.permissionLevel ?? 'unknown' };
  }

  /**
   * Every row of [start, end] by date, query and page (`dataState: all`),
   * page by page. The next page is asked for as soon as a full one arrives,
   * so it travels while the caller works on this one.
   */
  async *rows(start: string, end: string): AsyncGenerator<GscPage> {
    const pageRows = Math.min(this.settings.pageRows, GSC_MAX_ROWS);
    let next = this.page(start, end, 0, pageRows);
    for (let startRow = 0; ; startRow += pageRows) {
      const page = await next;
      const full = page.rows.length >= pageRows;
      if (full) {
        next = this.page(start, end, startRow + pageRows, pageRows);
        // Handled here too: if the caller stops first, a failing fetch is not an unhandled rejection.
        next.catch(() => undefined);
      }
      yield page;
      if (!full) return;
    }
  }

  private async page(start: string, end: string, startRow: number, pageRows: number): Promise<GscPage> {
    const response = await this.call('POST', `${this.siteUrl()}/searchAnalytics/query`, {
      startDate: start,
      endDate: end,
      dimensions: ['date', 'query', 'page'],
      type: 'web',
      dataState: 'all',
      aggregationType: 'byPage',
      rowLimit: pageRows,
      startRow,
    });
    const body = response.json<{
      rows?: {
        keys?: unknown[];
        clicks?: unknown;
        impressions?: unknown;
        ctr?: unknown;
        position?: unknown;
      }[];
      metadata?: { firstIncompleteDate?: string };
    }>();
    const rows = (body.rows ?? []).map((row) => ({
      date: row.keys?.[0],
      query: row.keys?.[1],
      page: row.keys?.[2],
      clicks: row.clicks,
      impressions: row.impressions,
      ctr: row.ctr,
      position: row.position,
    }));
    return { rows, firstIncompleteDate: body.metadata?.firstIncompleteDate };
  }

  private async call(method: string, url: string, body?: unknown): Promise<OutboundResponse> {
    return withRetries(this.settings.retry, async () => {
      await this.pace();
      const token = await this.token();
      let response: OutboundResponse;
      try {
        response = await outboundRequest(
          url,
          {
            method,
            headers: {
              authorization: `Bearer ${token}`,
              accept: 'application/json',
              ...(body ? { 'content-type': 'application/json' } : {}),
            },
            ...(body ? { body: JSON.stringify(body) } : {}),
          },
          this.policy,
        );
      } catch (error) {
        return fromOutbound(error, 'GSC');
      }
      if (response.status === 200) return response;
      throw this.failure(response);
    });
  }

  private async token(): Promise<string> {
    try {
      return await this.tokens.get();
    } catch (error) {
      if (error instanceof GoogleTokenError) {
        throw new ProviderError(
          error.permanent || error.status === 400 || error.status === 401 ? 'auth' : 'provider',
          `GSC sign-in: ${error.message}`,
          !error.permanent && (error.status === 0 || error.status === 429 || error.status >= 500),
        );
      }
      throw error;
    }
  }

  /** Spaces calls to one property (Search Console's per-site limit is per minute). */
  private async pace(): Promise<void> {
    const wait = this.lastCall + this.settings.minIntervalMs - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    this.lastCall = Date.now();
  }

  private failure(response: OutboundResponse): ProviderError {
    let body: GoogleErrorBody = {};
    try {
      body = response.json<GoogleErrorBody>();
    } catch {
      // the status says enough
    }
    const reason = body.error?.errors?.find((e) => e.reason)?.reason ?? body.error?.status ?? '';
    const detail = `GSC ${response.status}${reason ? ` ${reason}` : ''}: ${(body.error?.message ?? '').slice(0, 300)}`;
    const wait = retryAfter(response.headers['retry-after'], this.settings.retry.maxMs);
    if (response.status === 401) {
      this.tokens.reset();
      return new ProviderError('auth', detail);
    }
    if (QUOTA_SPENT.has(reason)) return new ProviderError('quota', detail);
    if (response.status === 429 || RATE_LIMITED.has(reason))
      return new ProviderError('quota', detail, true, wait);
    if (response.status === 403) return new ProviderError('auth', detail);
    if (response.status === 404) return new ProviderError('not_found', detail);
    if (response.status >= 500) return new ProviderError('provider', detail, true, wait);
    return new ProviderError('invalid', detail);
  }
}
