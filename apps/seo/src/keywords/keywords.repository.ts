import { type KeywordSort, type Page } from '@smartbeak/contracts';
import {
  decodeSortCursor,
  encodeCursor,
  isUuid,
  orgFilter,
  pageSize,
  Repository,
  type TenantScope,
  Where,
} from '@smartbeak/persistence';

export interface KeywordRow {
  id: string;
  domainId: string;
  query: string;
  clicks: number;
  impressions: number;
  ctr: number;
  position: number | null;
  positionChange: number | null;
  url: string | null;
  lastDate: string | null;
  /** The sort key of the row (for the cursor). */
  sortKey: number;
}

export interface PointRow {
  date: string;
  clicks: number;
  impressions: number;
  ctr: number;
  position: number;
  url: string;
  dataState: 'final' | 'fresh';
  source: 'gsc' | 'ahrefs';
}

export interface PageRow {
  url: string;
  clicks: number;
  impressions: number;
  keywords: number;
}

/** Each sort: its key (as indexed, migrations SeoInitial) and direction; ties by id in the same direction. */
const SORTS: Record<KeywordSort, { key: string; direction: 'ASC' | 'DESC' }> = {
  clicks: { key: 'clicks', direction: 'DESC' },
  impressions: { key: 'impressions', direction: 'DESC' },
  position: { key: 'coalesce(position, 1e9)', direction: 'ASC' },
  change: { key: 'coalesce(position_change, -1e9)', direction: 'DESC' },
};

const KEYWORD_COLUMNS = `id, domain_id AS "domainId", query, clicks, impressions, ctr, position,
  position_change AS "positionChange", url, to_char(last_date, 'YYYY-MM-DD') AS "lastDate"`;

/** The org's domains with SEO sources ($1 the org, $2 one domain or null): metrics are reached through them only. */
const ORG_DOMAINS = `SELECT DISTINCT domain_id FROM seo_sources WHERE org_id = $1 AND ($2::uuid IS NULL OR domain_id = $2)`;

/** Keywords, their daily history and the pages they rank with — always within one org. */
export class KeywordsRepository extends Repository {
  async list(
    scope: TenantScope,
    filters: { domainId?: string; q?: string; sort: KeywordSort; limit?: number; cursor?: string },
  ): Promise<Page<KeywordRow>> {
    const { key, direction } = SORTS[filters.sort];
    const where = new Where().add('org_id = ?', scope.orgId);
    if (filters.domainId) where.add('domain_id = ?', filters.domainId);
    if (filters.q)
      where.add(`query LIKE ?`, `%${filters.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    if (filters.cursor) {
      const [value, id] = decodeSortCursor(filters.cursor, 'uuid');
      where.add(`(${key}, id) ${direction === 'DESC' ? '<' : '>'} (?::float8, ?::uuid)`, value, id);
    }
    const limit = pageSize(filters.limit);
    const rows = await this.sql.rows<KeywordRow>(
      `SELECT ${KEYWORD_COLUMNS}, (${key})::float8 AS "sortKey" FROM keywords
        WHERE ${where.sql} ORDER BY ${key} ${direction}, id ${direction} LIMIT ${where.param(limit + 1)}`,
      where.params,
    );
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.sortKey, last.id) : null };
  }

  find(scope: TenantScope, id: string): Promise<KeywordRow | undefined> {
    if (!isUuid(id)) return Promise.resolve(undefined);
    return this.sql.one<KeywordRow>(
      `SELECT ${KEYWORD_COLUMNS}, 0::float8 AS "sortKey" FROM keywords WHERE id = $1 AND ${orgFilter('org_id', '$2')}`,
      [id, scope.orgId],
    );
  }

  /**
   * One point per day from the source the keyword's summary comes from
   * (Search Console before Ahrefs): the keyword's figures summed over its
   * pages, the position weighted by impressions, the ranking URL the page
   * with the most impressions that day.
   */
  history(scope: TenantScope, keywordId: string, from: string, to: string): Promise<PointRow[]> {
    return this.sql.rows<PointRow>(
      `SELECT to_char(m.date, 'YYYY-MM-DD') AS date, sum(m.clicks)::int AS clicks, sum(m.impressions)::int AS impressions,
              CASE WHEN sum(m.impressions) > 0 THEN sum(m.clicks)::float8 / sum(m.impressions) ELSE 0 END AS ctr,
              round((sum(m.position * greatest(m.impressions, 1)) / sum(greatest(m.impressions, 1)))::numeric, 2)::float8 AS position,
              (array_agg(m.page ORDER BY m.impressions DESC, m.clicks DESC, m.page))[1] AS url,
              min(m.data_state) AS "dataState", s.type AS source
         FROM keyword_metrics m
         JOIN keywords k ON k.id = m.keyword_id AND k.org_id = $1
         JOIN seo_sources s ON s.id = m.source_id
        WHERE m.keyword_id = $2 AND m.date BETWEEN $3 AND $4
          AND (k.summary_source IS NULL OR m.source_id = k.summary_source)
        GROUP BY m.date, s.type ORDER BY m.date, s.type`,
      [scope.orgId, keywordId, from, to],
    );
  }

  /** Pages by clicks over [from, to] (one domain's, or every domain's of the org), keyset by (clicks, url). */
  async pages(
    scope: TenantScope,
    filters: { domainId?: string; from: string; to: string; limit?: number; cursor?: string },
  ): Promise<Page<PageRow>> {
    const limit = pageSize(filters.limit);
    const params: unknown[] = [scope.orgId, filters.domainId ?? null, filters.from, filters.to];
    let after = '';
    if (filters.cursor) {
      const [clicks, url] = decodeSortCursor(filters.cursor, 'text');
      params.push(clicks, url);
      after = `WHERE (clicks, url COLLATE "C") < ($5::int, $6::text COLLATE "C")`;
    }
    params.push(limit + 1);
    const rows = await this.sql.rows<PageRow>(
      `SELECT * FROM (
         SELECT m.page AS url, sum(m.clicks)::int AS clicks, sum(m.impressions)::int AS impressions,
                count(DISTINCT m.keyword_id)::int AS keywords
           FROM keyword_metrics m
          WHERE m.domain_id IN (${ORG_DOMAINS}) AND m.date BETWEEN $3 AND $4
          GROUP BY m.page) AS p
        ${after}
        ORDER BY clicks DESC, url COLLATE "C" DESC LIMIT $${params.length}`,
      params,
    );
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.clicks, last.url) : null };
  }

  /** The latest day with data (the pages' window ends there). */
  async latestDay(scope: TenantScope, domainId?: string): Promise<string | null> {
    const row = await this.sql.one<{ day: string | null }>(
      `SELECT to_char(max(date), 'YYYY-MM-DD') AS day FROM keyword_metrics WHERE domain_id IN (${ORG_DOMAINS})`,
      [scope.orgId, domainId ?? null],
    );
    return row?.day ?? null;
  }
}
