/** One row as a provider gave it, before checks (GSC `keys` [date, query, page]; Ahrefs mapped the same way). */
export interface RawRow {
  date: unknown;
  query: unknown;
  page: unknown;
  clicks: unknown;
  impressions: unknown;
  ctr?: unknown;
  position: unknown;
}

/** A row fit to store: keyword × page × date, with its figures. */
export interface MetricRow {
  date: string;
  query: string;
  page: string;
  clicks: number;
  impressions: number;
  ctr: number;
  position: number;
}

export interface Rejected {
  reason: string;
  row: Record<string, unknown>;
}

/**
 * Query parameters dropped from page URLs: they track a visit, not a page
 * (docs/seo.md § Normalisation). `utm_*` by prefix, the rest by name.
 */
export const TRACKING_PARAMETERS = [
  'gclid',
  'gbraid',
  'wbraid',
  'dclid',
  'fbclid',
  'msclkid',
  'yclid',
  'twclid',
  'ttclid',
  'li_fat_id',
  'igshid',
  'mc_cid',
  'mc_eid',
  '_ga',
  '_gl',
  '_hsenc',
  '_hsmi',
  'srsltid',
];
const TRACKING = new Set(TRACKING_PARAMETERS);

/** Lower case, trimmed, runs of whitespace folded to one space, Unicode NFC. */
export function normaliseQuery(query: string): string {
  return query.normalize('NFC').toLowerCase().replace(/\s+/gu, ' ').trim();
}

/**
 * The canonical form of a page URL: http(s) only; scheme and host lower
 * case and default ports dropped (WHATWG URL does both); the fragment and
 * tracking parameters dropped. Null when it is not such a URL.
 */
export function canonicalUrl(page: string): string | null {
  let url: URL;
  try {
    url = new URL(page.trim());
  } catch {
    return null;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname) return null;
  url.hash = '';
  for (const name of [...url.searchParams.keys()]) {
    if (name.toLowerCase().startsWith('utm_') || TRACKING.has(name.toLowerCase()))
      url.searchParams.delete(name);
  }
  if (![...url.searchParams.keys()].length) url.search = '';
  return url.toString();
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A real calendar day written YYYY-MM-DD (UTC). */
export function isDay(value: unknown): value is string {
  if (typeof value !== 'string' || !DATE.test(value)) return false;
  const at = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(at.getTime()) && at.toISOString().slice(0, 10) === value;
}

const wholeCount = (value: unknown) => typeof value === 'number' && Number.isInteger(value) && value >= 0;
const finite = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** Why a row cannot be stored, or null when it can (after normalising). `urls` remembers pages seen (they repeat by day). */
function check(
  raw: RawRow,
  window: { start: string; end: string },
  urls: Map<string, string | null>,
): string | MetricRow {
  if (!isDay(raw.date)) return 'date is not a YYYY-MM-DD day';
  if (raw.date < window.start || raw.date > window.end) return 'date outside the requested window';
  if (typeof raw.query !== 'string') return 'query missing';
  const query = normaliseQuery(raw.query);
  if (!query) return 'query empty';
  if (query.length > 1000) return 'query longer than 1000 characters';
  if (typeof raw.page !== 'string') return 'page missing';
  let page = urls.get(raw.page);
  if (page === undefined) {
    page = canonicalUrl(raw.page);
    urls.set(raw.page, page);
  }
  if (!page) return 'page is not an http(s) URL';
  if (page.length > 2000) return 'page URL longer than 2000 characters';
  if (!wholeCount(raw.clicks)) return 'clicks is not a whole number ≥ 0';
  if (!wholeCount(raw.impressions)) return 'impressions is not a whole number ≥ 0';
  const clicks = raw.clicks as number;
  const impressions = raw.impressions as number;
  if (clicks > impressions) return 'clicks exceed impressions';
  if (!finite(raw.position) || raw.position < 1) return 'position is not ≥ 1';
  const ctr = raw.ctr === undefined ? (impressions ? clicks / impressions : 0) : raw.ctr;
  if (!finite(ctr) || ctr < 0 || ctr > 1) return 'ctr is not between 0 and 1';
  return { date: raw.date, query, page, clicks, impressions, ctr, position: raw.position };
}

const SAMPLE = 10;

/**
 * Checks and normalises a window's rows, page by page as they arrive. Rows
 * that become the same keyword × page × date (two spellings of a query, a URL
 * with and without tracking parameters) are merged: clicks and impressions
 * summed, the position weighted by impressions, the ctr recomputed.
 */
export class WindowRows {
  private readonly merged = new Map<string, MetricRow>();
  /** Pages seen (they repeat by day), canonicalised once. */
  private readonly urls = new Map<string, string | null>();
  readonly sample: Rejected[] = [];
  rejected = 0;

  constructor(private readonly window: { start: string; end: string }) {}

  add(rows: RawRow[]): void {
    for (const raw of rows) {
      const result = check(raw, this.window, this.urls);
      if (typeof result === 'string') {
        this.rejected++;
        if (this.sample.length < SAMPLE) this.sample.push({ reason: result, row: { ...raw } });
        continue;
      }
      const key = `${result.date}\u0000${result.query}\u0000${result.page}`;
      const seen = this.merged.get(key);
      if (!seen) {
        this.merged.set(key, result);
        continue;
      }
      const impressions = seen.impressions + result.impressions;
      seen.position = impressions
        ? (seen.position * seen.impressions + result.position * result.impressions) / impressions
        : Math.min(seen.position, result.position);
      seen.clicks += result.clicks;
      seen.impressions = impressions;
      seen.ctr = impressions ? seen.clicks / impressions : 0;
    }
  }

  get rows(): MetricRow[] {
    return [...this.merged.values()];
  }
}

/** `WindowRows` over one batch of rows. */
export function normaliseRows(
  rows: RawRow[],
  window: { start: string; end: string },
): { rows: MetricRow[]; rejected: number; sample: Rejected[] } {
  const checked = new WindowRows(window);
  checked.add(rows);
  return { rows: checked.rows, rejected: checked.rejected, sample: checked.sample };
}
