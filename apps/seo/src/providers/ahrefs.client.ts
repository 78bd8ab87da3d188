import { type OutboundPolicy, type OutboundResponse, outboundRequest } from '@smartbeak/outbound';

import { type RawRow } from '../ingestions/normalise';
import { fromOutbound, ProviderError, retryAfter, type RetryPolicy, withRetries } from './provider-error';

export interface AhrefsSettings {
  apiBaseUrl: string;
  pageRows: number;
  retry: RetryPolicy;
}

export interface AhrefsTarget {
  target: string;
  mode: string;
  country?: string;
}

/** Ahrefs' least charge for a request (its docs: 50 units). */
export const AHREFS_MIN_UNITS_PER_REQUEST = 50;
/** Before the first answer says what a row costs, assume this many units per row (the columns asked for). */
const FIRST_ROW_COST_GUESS = 10;

/**
 * The fields asked for: the keyword, its best position and ranking URL, the
 * estimated monthly traffic (stored as clicks) and the search volume
 * (stored as impressions). `select` sets the cost: nothing else is fetched.
 */
const SELECT = 'keyword,best_position,best_position_url,sum_traffic,volume';

export interface AhrefsPage {
  rows: RawRow[];
  units: number;
}

/** The fetch stopped because the next page might cost more than the budget has left. */
export class BudgetExhaustedError extends ProviderError {
  constructor(message: string) {
    super('budget', message);
    this.name = 'BudgetExhaustedError';
  }
}

/**
 * Ahrefs API v3 through libs/outbound: `site-explorer/organic-keywords` for
 * one day, `limit`/`offset` pages ordered by traffic until a short page.
 * Each answer's `x-api-units-cost-total-actual` is the units it cost; before
 * each page the client checks that the page's likely cost still fits the
 * budget left, and stops (BudgetExhaustedError) when it does not. 429 and
 * 5xx are retried with back-off (Ahrefs sends no Retry-After).
 */
export class AhrefsClient {
  constructor(
    private readonly apiKey: string,
    private readonly target: AhrefsTarget,
    private readonly settings: AhrefsSettings,
    private readonly policy: OutboundPolicy,
  ) {}

  /** `subscription-info/limits-and-usage` (costs no units): the key works. */
  async verify(): Promise<{ unitsLeft: number | null }> {
    const response = await this.call(`${this.settings.apiBaseUrl}/v3/subscription-info/limits-and-usage`);
    const usage = response.json<{
      limits_and_usage?: { units_limit_api_key?: number | null; units_usage_api_key?: number | null };
    }>().limits_and_usage;
    const limit = usage?.units_limit_api_key;
    return { unitsLeft: typeof limit === 'number' ? limit - (usage?.units_usage_api_key ?? 0) : null };
  }

  /** The target's organic keywords on `date`, page by page, within `unitsLeft`. */
  async *rows(date: string, unitsLeft: number): AsyncGenerator<AhrefsPage> {
    const limit = this.settings.pageRows;
    let rowCost = FIRST_ROW_COST_GUESS;
    let left = unitsLeft;
    for (let offset = 0; ; offset += limit) {
      const estimate = Math.max(AHREFS_MIN_UNITS_PER_REQUEST, limit * rowCost);
      if (estimate > left) {
        throw new BudgetExhaustedError(
          `Ahrefs: stopped before exceeding the monthly unit budget (${left} units left, the next page may cost ${estimate})`,
        );
      }
      const query = new URLSearchParams({
        target: this.target.target,
        mode: this.target.mode,
        date,
        select: SELECT,
        order_by: 'sum_traffic:desc,keyword:asc',
        limit: String(limit),
        offset: String(offset),
        output: 'json',
        ...(this.target.country ? { country: this.target.country } : {}),
      });
      const response = await this.call(
        `${this.settings.apiBaseUrl}/v3/site-explorer/organic-keywords?${query}`,
      );
      const units = Number(
        response.headers['x-api-units-cost-total-actual'] ?? response.headers['x-api-units-cost-total'] ?? 0,
      );
      const perRow = Number(response.headers['x-api-units-cost-row']);
      if (Number.isFinite(perRow) && perRow > 0) rowCost = perRow;
      left -= Number.isFinite(units) ? units : 0;
      const keywords =
        response.json<{
          keywords?: {
            keyword?: unknown;
            best_position?: unknown;
            best_position_url?: unknown;
            sum_traffic?: unknown;
            volume?: unknown;
          }[];
        }>().keywords ?? [];
      yield {
        units: Number.isFinite(units) ? units : 0,
        rows: keywords.map((k) => ({
          date,
          query: k.keyword,
          page: k.best_position_url,
          clicks: k.sum_traffic,
          impressions: k.volume,
          position: k.best_position,
        })),
      };
      if (keywords.length < limit) return;
    }
  }

  private call(url: string): Promise<OutboundResponse> {
    return withRetries(this.settings.retry, async () => {
      let response: OutboundResponse;
      try {
        response = await outboundRequest(
          url,
          { method: 'GET', headers: { authorization: `Bearer ${this.apiKey}`, accept: 'application/json' } },
          this.policy,
        );
      } catch (error) {
        return fromOutbound(error, 'Ahrefs');
      }
      if (response.status === 200) return response;
      let message = '';
      try {
        message = response.json<{ error?: string }>().error ?? '';
      } catch {
        // the status says enough
      }
      const detail = `Ahrefs ${response.status}: ${message.slice(0, 300)}`;
      if (response.status === 401 || response.status === 403) throw new ProviderError('auth', detail);
      if (response.status === 429)
        throw new ProviderError(
          'quota',
          detail,
          true,
          retryAfter(response.headers['retry-after'], this.settings.retry.maxMs),
        );
      if (response.status >= 500) throw new ProviderError('provider', detail, true);
      throw new ProviderError('invalid', detail);
    });
  }
}
