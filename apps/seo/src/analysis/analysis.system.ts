import { Inject, Injectable } from '@nestjs/common';
import { type EventName, Events } from '@smartbeak/contracts';
import { appendToOutbox } from '@smartbeak/messaging';
import { Database, orgFilter, type SystemScope } from '@smartbeak/persistence';
import { SERVICE_CONFIG } from '@smartbeak/runtime';

import { type SeoConfig } from '../config/seo.config';

export interface AnalysisResult {
  /** The last day of the 7-day window compared with the 7 days before; null without data. */
  windowEnd: string | null;
  keywordsRefreshed: number;
  signals: Partial<Record<EventName, number>>;
}

interface Signal {
  kind: string;
  subject: string;
  keyword_id: string | null;
  query: string | null;
  position: number | null;
  previous_position: number | null;
  url: string | null;
  previous_url: string | null;
  clicks: number | null;
  previous_clicks: number | null;
}

const KIND_EVENT: Record<string, EventName> = {
  dropped: Events.seo.keywordDropped,
  'entered-top10': Events.seo.keywordEnteredTop10,
  'left-top10': Events.seo.keywordLeftTop10,
  'url-changed': Events.seo.keywordUrlChanged,
  'page-clicks-dropped': Events.seo.pageClicksDropped,
};

/**
 * After each ingestion, per domain (docs/seo.md § Analysis): the keywords'
 * summaries (last 7 days of data against the 7 before) are refreshed from
 * the source just ingested (for keywords Search Console also knows, an
 * Ahrefs source leaves the summary to it), then the signals found are recorded once per subject and window
 * and told through the outbox — a second run over the same window tells
 * nothing new.
 */
@Injectable()
export class AnalysisSystem {
  constructor(
    private readonly db: Database,
    @Inject(SERVICE_CONFIG) private readonly config: SeoConfig,
  ) {}

  async run(
    _scope: SystemScope,
    domain: { orgId: string; domainId: string; sourceId: string },
  ): Promise<AnalysisResult> {
    return this.db.transaction(async (tx) => {
      // One analysis of a domain at a time (two sources finishing together).
      await tx.run(`SELECT pg_advisory_xact_lock(hashtext('seo.analysis'), hashtext($1))`, [domain.domainId]);
      const main = await tx.one<{ id: string; type: string; end: string | null }>(
        `SELECT id, type, (SELECT to_char(max(date), 'YYYY-MM-DD') FROM keyword_metrics m WHERE m.source_id = s.id) AS end
           FROM seo_sources s WHERE id = $1 AND ${orgFilter('org_id', '$2')}`,
        [domain.sourceId, domain.orgId],
      );
      if (!main?.end) return { windowEnd: null, keywordsRefreshed: 0, signals: {} };
      const end = main.end;
      const keywordsRefreshed = await tx.run(
        `WITH days AS (
           SELECT keyword_id, date >= $3::date - 6 AS current, page,
                  sum(clicks) AS clicks, sum(impressions) AS impressions,
                  sum(position * greatest(impressions, 1)) AS weighted, sum(greatest(impressions, 1)) AS weight
             FROM keyword_metrics
            WHERE source_id = $1 AND date BETWEEN $3::date - 13 AND $3::date
            GROUP BY keyword_id, current, page
         ), periods AS (
           SELECT keyword_id, current, sum(clicks)::int AS clicks, sum(impressions)::int AS impressions,
                  sum(weighted) / sum(weight) AS position,
                  (array_agg(page ORDER BY impressions DESC, clicks DESC, page))[1] AS url
             FROM days GROUP BY keyword_id, current
         ), targets AS (
           -- The keywords this source has figures for, and those whose summary it gave before (now without figures).
           SELECT keyword_id AS id FROM periods
           UNION
           SELECT id FROM keywords WHERE domain_id = $2 AND summary_source = $1
         ), summary AS (
           SELECT k.id, coalesce(c.clicks, 0) AS clicks, coalesce(c.impressions, 0) AS impressions,
                  CASE WHEN coalesce(c.impressions, 0) > 0 THEN c.clicks::float8 / c.impressions ELSE 0 END AS ctr,
                  round(c.position::numeric, 2)::float8 AS position, round(p.position::numeric, 2)::float8 AS previous_position,
                  round((p.position - c.position)::numeric, 2)::float8 AS position_change,
                  c.url, p.url AS previous_url
             FROM targets t
             JOIN keywords k ON k.id = t.id
             LEFT JOIN periods c ON c.keyword_id = k.id AND c.current
             LEFT JOIN periods p ON p.keyword_id = k.id AND NOT p.current
            -- Search Console's figures win over Ahrefs' estimates for a keyword both know.
            WHERE $4 <> 'ahrefs' OR NOT EXISTS (
                SELECT 1 FROM keyword_metrics g JOIN seo_sources gs ON gs.id = g.source_id AND gs.type = 'gsc'
                 WHERE g.keyword_id = k.id AND g.date BETWEEN $3::date - 13 AND $3::date)
         )
         UPDATE keywords k
            SET clicks = s.clicks, impressions = s.impressions, ctr = s.ctr, position = s.position,
                previous_position = s.previous_position, position_change = s.position_change,
                url = s.url, previous_url = s.previous_url, last_date = $3::date, summary_source = $1
           FROM summary s
          WHERE k.id = s.id
            AND (k.clicks, k.impressions, k.position, k.previous_position, k.url, k.previous_url, k.last_date, k.summary_source)
                IS DISTINCT FROM (s.clicks, s.impressions, s.position, s.previous_position, s.url, s.previous_url, $3::date, $1)`,
        [main.id, domain.domainId, end, main.type],
      );
      const c = this.config;
      const found = await tx.rows<Signal>(
        `WITH keyword_signals AS (
           SELECT CASE
                    WHEN previous_position <= 10 AND position > 10 THEN 'left-top10'
                    WHEN previous_position > 10 AND position <= 10 THEN 'entered-top10'
                  END AS kind, *
             FROM keywords WHERE summary_source = $7 AND impressions >= $3 AND position IS NOT NULL
           UNION ALL
           SELECT 'dropped', * FROM keywords
            WHERE summary_source = $7 AND impressions >= $3 AND position - previous_position > $4
           UNION ALL
           SELECT 'url-changed', * FROM keywords
            WHERE summary_source = $7 AND impressions >= $3 AND url IS DISTINCT FROM previous_url
              AND url IS NOT NULL AND previous_url IS NOT NULL
         ), pages AS (
           SELECT page, sum(clicks) FILTER (WHERE date >= $2::date - 6)::int AS clicks,
                  sum(clicks) FILTER (WHERE date < $2::date - 6)::int AS previous_clicks
             FROM keyword_metrics WHERE source_id = $7 AND date BETWEEN $2::date - 13 AND $2::date
            GROUP BY page
         ), found AS (
           SELECT kind, id::text AS subject, id AS keyword_id, query, position, previous_position, url, previous_url,
                  clicks, NULL::int AS previous_clicks
             FROM keyword_signals WHERE kind IS NOT NULL
           UNION ALL
           SELECT 'page-clicks-dropped', page, NULL, NULL, NULL, NULL, page, NULL, coalesce(clicks, 0), previous_clicks
             FROM pages WHERE previous_clicks >= $5 AND coalesce(clicks, 0) <= previous_clicks * (1 - $6::float8)
         ), recorded AS (
           INSERT INTO analysis_signals (domain_id, kind, subject, window_end, org_id)
           SELECT $1::uuid, kind, subject, $2::date, $8 FROM found
           ON CONFLICT DO NOTHING
           RETURNING kind, subject
         )
         SELECT f.* FROM found f JOIN recorded r USING (kind, subject)`,
        [
          domain.domainId,
          end,
          c.SEO_MIN_IMPRESSIONS,
          c.SEO_DROP_THRESHOLD,
          c.SEO_MIN_PAGE_CLICKS,
          c.SEO_PAGE_CLICK_LOSS,
          main.id,
          domain.orgId,
        ],
      );
      await appendToOutbox(
        tx,
        found.map((signal) => ({
          type: KIND_EVENT[signal.kind] as EventName,
          aggregateId: signal.keyword_id ?? domain.domainId,
          orgId: domain.orgId,
          domainId: domain.domainId,
          payload: {
            windowEnd: end,
            ...(signal.keyword_id ? { keywordId: signal.keyword_id, query: signal.query } : {}),
            position: signal.position,
            previousPosition: signal.previous_position,
            url: signal.url,
            previousUrl: signal.previous_url,
            clicks: signal.clicks,
            previousClicks: signal.previous_clicks,
          },
        })),
      );
      const signals: Partial<Record<EventName, number>> = {};
      for (const signal of found) {
        const type = KIND_EVENT[signal.kind] as EventName;
        signals[type] = (signals[type] ?? 0) + 1;
      }
      return { windowEnd: end, keywordsRefreshed, signals };
    });
  }
}
