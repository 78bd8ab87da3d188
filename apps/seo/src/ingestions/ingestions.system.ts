import { Injectable } from '@nestjs/common';
import { Events } from '@smartbeak/contracts';
import { appendToOutbox } from '@smartbeak/messaging';
import { Database, isUniqueViolation, type SystemScope } from '@smartbeak/persistence';

import { SOURCE_COLUMNS, type SourceRow } from '../sources/sources.repository';
import { INGESTION_COLUMNS, INGESTION_FROM, type IngestionRow } from './ingestions.repository';

/**
 * The ingestion runner's side of `ingestions`, across orgs on purpose: a
 * worker picks up whichever org's job comes next. Every write names the row
 * by id; the org comes from the row, never from the job.
 */
@Injectable()
export class IngestionsSystem {
  constructor(private readonly db: Database) {}

  /** A scheduled run of a source: a new queued ingestion, or null while one is queued or running (or the source is gone or paused). */
  async queueScheduled(_scope: SystemScope, sourceId: string): Promise<string | null> {
    try {
      const row = await this.db.one<{ id: string }>(
        `INSERT INTO ingestions (org_id, domain_id, source_id, trigger)
         SELECT org_id, domain_id, id, 'schedule' FROM seo_sources WHERE id = $1 AND NOT paused RETURNING id`,
        [sourceId],
      );
      return row?.id ?? null;
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
  }

  /** Marks it running (again, after a crash) and returns it with its source; null when it is over or gone. */
  async start(
    _scope: SystemScope,
    id: string,
  ): Promise<{ ingestion: IngestionRow; source: SourceRow } | null> {
    const started = await this.db.run(
      `UPDATE ingestions SET state = 'running', started_at = coalesce(started_at, now()), heartbeat_at = now()
        WHERE id = $1 AND state IN ('queued', 'running')`,
      [id],
    );
    if (!started) return null;
    const ingestion = await this.db.one<IngestionRow>(
      `SELECT ${INGESTION_COLUMNS} ${INGESTION_FROM} WHERE i.id = $1`,
      [id],
    );
    const source =
      ingestion &&
      (await this.db.one<SourceRow>(`SELECT ${SOURCE_COLUMNS} FROM seo_sources WHERE id = $1`, [
        ingestion.sourceId,
      ]));
    return ingestion && source ? { ingestion, source } : null;
  }

  /** Pages fetched, rows read and units spent so far (kept even if the ingestion then fails). */
  async progress(
    _scope: SystemScope,
    id: string,
    delta: { rowsRead: number; pages: number; units: number },
  ): Promise<void> {
    await this.db.run(
      `UPDATE ingestions SET rows_read = rows_read + $2, pages = pages + $3, units_spent = units_spent + $4,
              heartbeat_at = now()
        WHERE id = $1`,
      [id, delta.rowsRead, delta.pages, delta.units],
    );
  }

  async succeed(
    _scope: SystemScope,
    id: string,
    span: { start: string | null; end: string | null },
  ): Promise<void> {
    await this.db.run(
      `UPDATE ingestions SET state = 'succeeded', finished_at = now(), window_start = $2, window_end = $3
        WHERE id = $1 AND state = 'running'`,
      [id, span.start, span.end],
    );
  }

  /** Failed, with its error, and `seo.ingestion.failed` for the org's SEO readers — in one transaction. */
  async fail(
    _scope: SystemScope,
    ingestion: IngestionRow,
    source: SourceRow,
    failure: { code: string; message: string; span: { start: string | null; end: string | null } },
  ): Promise<void> {
    await this.db.transaction(async (tx) => {
      const failed = await tx.run(
        `UPDATE ingestions SET state = 'failed', finished_at = now(), error = $2, error_code = $3,
                window_start = $4, window_end = $5
          WHERE id = $1 AND state = 'running'`,
        [ingestion.id, failure.message.slice(0, 2000), failure.code, failure.span.start, failure.span.end],
      );
      if (!failed) return;
      await appendToOutbox(tx, [
        {
          type: Events.seo.ingestionFailed,
          aggregateId: ingestion.id,
          orgId: ingestion.orgId,
          domainId: ingestion.domainId,
          payload: {
            ingestionId: ingestion.id,
            sourceId: source.id,
            sourceName: source.name,
            sourceType: source.type,
            errorCode: failure.code,
            error: failure.message.slice(0, 500),
          },
        },
      ]);
    });
  }

  /**
   * Ends ingestions nothing has moved for `staleMs` (queued and no longer in
   * the queue, or running without a page or window since): their job is gone
   * (it failed for good, or its queue lost it). A live run moves its
   * heartbeat with every page, and a crashed worker's job comes back within
   * BullMQ's lock time, well inside `staleMs`. Each ended run frees its source
   * for the next, and is told as failed.
   */
  async sweepStale(
    scope: SystemScope,
    staleMs: number,
    stillQueued: (ingestionId: string) => Promise<boolean>,
  ): Promise<number> {
    const stale = await this.db.rows<IngestionRow>(
      `SELECT ${INGESTION_COLUMNS} ${INGESTION_FROM}
        WHERE i.state IN ('queued', 'running')
          AND coalesce(i.heartbeat_at, i.created_at) < now() - make_interval(secs => $1::float8 / 1000)`,
      [staleMs],
    );
    let ended = 0;
    for (const ingestion of stale) {
      // Waiting its turn behind other runs is not lost.
      if (ingestion.state === 'queued' && (await stillQueued(ingestion.id))) continue;
      const source = await this.db.one<SourceRow>(`SELECT ${SOURCE_COLUMNS} FROM seo_sources WHERE id = $1`, [
        ingestion.sourceId,
      ]);
      if (!source) continue;
      if (ingestion.state === 'queued')
        await this.db.run(`UPDATE ingestions SET state = 'running' WHERE id = $1 AND state = 'queued'`, [
          ingestion.id,
        ]);
      await this.fail(scope, ingestion, source, {
        code: 'stale',
        message: `No progress for ${Math.round(staleMs / 60_000)} minutes: the run was lost; the next one picks up from the stored days`,
        span: { start: ingestion.windowStart, end: ingestion.windowEnd },
      });
      ended++;
    }
    return ended;
  }
}
