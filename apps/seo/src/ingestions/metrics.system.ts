import { Injectable } from '@nestjs/common';
import { Database, type SystemScope, type Transaction } from '@smartbeak/persistence';

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

/** keyword_metrics' columns, in the order rows are copied. */
const METRIC_COLUMNS = [
  'keyword_id',
  'source_id',
  'date',
  'page',
  'domain_id',
  'clicks',
  'impressions',
  'ctr',
  'position',
  'data_state',
];

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
      const copy = rows.map((row) => [
        ids.get(row.query),
        source.id,
        row.date,
        row.page,
        source.domainId,
        row.clicks,
        row.impressions,
        row.ctr,
        row.position,
        row.date >= write.firstIncomplete ? 'fresh' : 'final',
      ]);
      const held = await tx.one(
        `SELECT 1 AS held FROM keyword_metrics WHERE source_id = $1 AND date BETWEEN $2 AND $3 LIMIT 1`,
        [source.id, window.start, window.end],
      );
      let stored = copy.length;
      let removed = 0;
      if (!held) {
        // Nothing of the window is stored yet (a backfill, a new day): straight in, at COPY's speed.
        await tx.copyIn('keyword_metrics', METRIC_COLUMNS, copy);
      } else {
        ({ stored, removed } = await replaceWindow(tx, source, window, copy));
      }
      await tx.run(
        `UPDATE seo_sources SET history_from = $2, final_through = $3, updated_at = now() WHERE id = $1`,
        [source.id, write.span.historyFrom, write.span.finalThrough],
      );
      await tx.run(
        `UPDATE ingestions
            SET rows_stored = rows_stored + $2, rows_rejected = rows_rejected + $3, heartbeat_at = now(),
                reject_sample = (SELECT coalesce(jsonb_agg(e), '[]') FROM (
                  SELECT e FROM jsonb_array_elements(reject_sample || $4::jsonb) AS e LIMIT 10) AS s)
          WHERE id = $1`,
        [write.ingestionId, stored, write.rejected, JSON.stringify(write.sample)],
      );
      return { stored, removed };
    });
  }
}

/**
 * A window already (partly) stored: its rows staged, then new ones inserted,
 * changed ones updated, unchanged ones left alone, and rows the provider no
 * longer lists removed.
 */
async function replaceWindow(
  tx: Transaction,
  source: { id: string },
  window: { start: string; end: string },
  copy: unknown[][],
): Promise<{ stored: number; removed: number }> {
  await tx.run(`CREATE TEMP TABLE incoming (LIKE keyword_metrics INCLUDING DEFAULTS) ON COMMIT DROP`);
  await tx.run(`ALTER TABLE incoming ADD PRIMARY KEY (keyword_id, date, page)`);
  await tx.copyIn('incoming', METRIC_COLUMNS, copy);
  // Statistics for the planner: the upsert and the anti-join below are hash joins, not loops.
  await tx.run(`ANALYZE incoming`);
  const stored = await tx.run(
    `INSERT INTO keyword_metrics AS m (${METRIC_COLUMNS.join(', ')})
     SELECT ${METRIC_COLUMNS.join(', ')} FROM incoming
     ON CONFLICT (keyword_id, source_id, date, page) DO UPDATE
       SET clicks = excluded.clicks, impressions = excluded.impressions, ctr = excluded.ctr,
           position = excluded.position, data_state = excluded.data_state
       WHERE (m.clicks, m.impressions, m.ctr, m.position, m.data_state)
             IS DISTINCT FROM (excluded.clicks, excluded.impressions, excluded.ctr, excluded.position, excluded.data_state)`,
  );
  // The provider answered for every day of the window: what it no longer lists is gone.
  const removed = await tx.run(
    `DELETE FROM keyword_metrics m
      WHERE m.source_id = $1 AND m.date BETWEEN $2 AND $3
        AND NOT EXISTS (SELECT 1 FROM incoming n
                         WHERE n.keyword_id = m.keyword_id AND n.date = m.date AND n.page = m.page)`,
    [source.id, window.start, window.end],
  );
  return { stored, removed };
}
