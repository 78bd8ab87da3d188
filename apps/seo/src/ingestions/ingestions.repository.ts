import { type IngestionState, type Page, type SeoSourceType } from '@smartbeak/contracts';
import {
  isUniqueViolation,
  isUuid,
  newestFirst,
  orgFilter,
  Repository,
  type TenantScope,
  Where,
} from '@smartbeak/persistence';

import { type Rejected } from './normalise';

/** An `ingestions` row, with its source's type. */
export interface IngestionRow {
  id: string;
  orgId: string;
  domainId: string;
  sourceId: string;
  sourceType: SeoSourceType;
  trigger: 'manual' | 'schedule';
  state: IngestionState;
  windowStart: string | null;
  windowEnd: string | null;
  rowsRead: number;
  rowsStored: number;
  rowsRejected: number;
  rejectSample: Rejected[];
  unitsSpent: number;
  pages: number;
  error: string | null;
  errorCode: string | null;
  createdBy: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export const INGESTION_COLUMNS = `i.id, i.org_id AS "orgId", i.domain_id AS "domainId", i.source_id AS "sourceId",
  s.type AS "sourceType", i.trigger, i.state,
  to_char(i.window_start, 'YYYY-MM-DD') AS "windowStart", to_char(i.window_end, 'YYYY-MM-DD') AS "windowEnd",
  i.rows_read AS "rowsRead", i.rows_stored AS "rowsStored", i.rows_rejected AS "rowsRejected",
  i.reject_sample AS "rejectSample", i.units_spent AS "unitsSpent", i.pages, i.error, i.error_code AS "errorCode",
  i.created_by AS "createdBy", i.created_at AS "createdAt", i.started_at AS "startedAt", i.finished_at AS "finishedAt"`;
export const INGESTION_FROM = `FROM ingestions i JOIN seo_sources s ON s.id = i.source_id`;

/** Ingestions of one org. The runner's writes (any org) are in ingestions.system.ts. */
export class IngestionsRepository extends Repository {
  /**
   * A queued ingestion of the source, or — when one is queued or running
   * already — that one (`created: false`).
   */
  async queue(
    scope: TenantScope,
    source: { id: string; domainId: string },
    trigger: 'manual' | 'schedule',
    createdBy: string | null,
  ): Promise<{ id: string; created: boolean }> {
    try {
      const row = await this.sql.one<{ id: string }>(
        `INSERT INTO ingestions (org_id, domain_id, source_id, trigger, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
        [scope.orgId, source.domainId, source.id, trigger, createdBy],
      );
      return { id: (row as { id: string }).id, created: true };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const active = await this.sql.one<{ id: string }>(
        `SELECT id FROM ingestions WHERE source_id = $1 AND ${orgFilter('org_id', '$2')} AND state IN ('queued', 'running')`,
        [source.id, scope.orgId],
      );
      if (!active) throw error;
      return { id: active.id, created: false };
    }
  }

  find(scope: TenantScope, id: string): Promise<IngestionRow | undefined> {
    if (!isUuid(id)) return Promise.resolve(undefined);
    return this.sql.one<IngestionRow>(
      `SELECT ${INGESTION_COLUMNS} ${INGESTION_FROM} WHERE i.id = $1 AND ${orgFilter('i.org_id', '$2')}`,
      [id, scope.orgId],
    );
  }

  list(
    scope: TenantScope,
    filters: { domainId?: string; sourceId?: string; limit?: number; cursor?: string },
  ): Promise<Page<IngestionRow>> {
    const where = new Where().add('i.org_id = ?', scope.orgId);
    if (filters.domainId) where.add('i.domain_id = ?', filters.domainId);
    if (filters.sourceId) where.add('i.source_id = ?', filters.sourceId);
    return newestFirst<IngestionRow>(
      this.sql,
      `SELECT ${INGESTION_COLUMNS} ${INGESTION_FROM}`,
      where,
      filters,
      'i',
    );
  }
}
