import { Injectable } from '@nestjs/common';
import { Database, type SystemScope } from '@smartbeak/persistence';

import { type MetricRow, type Rejected } from './normalise';

export interface WindowWrite {
  ingestionId: string;
  source: { id: string; orgId: string; domainId: string };
  window: { start: string; end: string };
  rows: MetricRow[];
  /** Days from this one on are `fresh` (may still change); earlier ones `final`. */
  firstIncomplete: string;
  rejected: number;
  sample: Rejected[];
  /** The source's stored span once this window is in. */
  span: { historyFrom: string; finalThrough: string };
}

/**
 * Writes a whole window in one transaction: the keywords it names, its rows
 * (new ones inserted, changed ones updated — fresh days replaced by final
 * ones — unchanged ones left alone), rows of the window the provider no
 * longer returns removed, the source's stored span moved and the
 * ingestion's counts added. Either all of it is stored or none.
 */
@Injectable()
export class MetricsSystem {
  constructor(private readonly db: Database) {}

  async writeWindow(_scope: SystemScope, write: WindowWrite): Promise<{ stored: number; removed: number }> {
    const { source, window, rows } = write;
    return this.db.transaction(async (tx) => {
      const queries = [...new Set(rows.map((row) => row.query))];
      await tx.run(
        `INSERT INTO keywords (org_id, domain_id, query)
         SELECT $1, $2, q FROM unnest($3::text[]) AS q ORDER BY q
         ON CONFLICT (domain_id, query) DO NOTHING`,
        [source.orgId, source.domainId, queries],
      );
      const ids = new Map(
        (
          await tx.rows<{ id: string; query: string }>(
            `SELECT id, query FROM keywords WHERE domain_id = $1 AND query = ANY($2::text[])`,
            [source.domainId, queries],
          )
        ).map((row) => [row.query, row.id]),
      );
      await tx.run(
        `CREATE TEMP TABLE incoming (
           keyword_id uuid, date date, page text, clicks integer, impressions integer,
           ctr double precision, position double precision, data_state varchar(5),
           PRIMARY KEY (keyword_id, date, page)
         ) ON COMMIT DROP`,
      );
      await tx.run(
        `INSERT INTO incoming
         SELECT * FROM unnest($1::uuid[], $2::date[], $3::text[], $4::int[], $5::int[], $6::float8[], $7::float8[], $8::text[])`,
        [
          rows.map((row) => ids.get(row.query)),
          rows.map((row) => row.date),
          rows.map((row) => row.page),
          rows.map((row) => row.clicks),
          rows.map((row) => row.impressions),
          rows.map((row) => row.ctr),
          rows.map((row) => row.position),
          rows.map((row) => (row.date >= write.firstIncomplete ? 'fresh' : 'final')),
        ],
      );
      // Statistics for the planner: the upsert and the anti-join below are hash joins, not loops.
      await tx.run(`ANALYZE incoming`);
      const stored = await tx.run(
        `INSERT INTO keyword_metrics AS m
           (keyword_id, source_id, date, page, domain_id, clicks, impressions, ctr, position, data_state)
         SELECT keyword_id, $1, date, page, $2, clicks, impressions, ctr, position, data_state FROM incoming
         ON CONFLICT (keyword_id, source_id, date, page) DO UPDATE
           SET clicks = excluded.clicks, impressions = excluded.impressions, ctr = excluded.ctr,
               position = excluded.position, data_state = excluded.data_state
           WHERE (m.clicks, m.impressions, m.ctr, m.position, m.data_state)
                 IS DISTINCT FROM (excluded.clicks, excluded.impressions, excluded.ctr, excluded.position, excluded.data_state)`,
        [source.id, source.domainId],
      );
      // The provider answered for every day of the window: what it no longer lists is gone.
      const removed = await tx.run(
        `DELETE FROM keyword_metrics m
          WHERE m.source_id = $1 AND m.date BETWEEN $2 AND $3
            AND NOT EXISTS (SELECT 1 FROM incoming n
                             WHERE n.keyword_id = m.keyword_id AND n.date = m.date AND n.page = m.page)`,
        [source.id, window.start, window.end],
      );
      await tx.run(
        `UPDATE seo_sources SET history_from = $2, final_through = $3, updated_at = now() WHERE id = $1`,
        [source.id, write.span.historyFrom, write.span.finalThrough],
      );
      await tx.run(
        `UPDATE ingestions
            SET rows_stored = rows_stored + $2, rows_rejected = rows_rejected + $3,
                reject_sample = (SELECT coalesce(jsonb_agg(e), '[]') FROM (
                  SELECT e FROM jsonb_array_elements(reject_sample || $4::jsonb) AS e LIMIT 10) AS s)
          WHERE id = $1`,
        [write.ingestionId, stored, write.rejected, JSON.stringify(write.sample)],
      );
      return { stored, removed };
    });
  }
}
