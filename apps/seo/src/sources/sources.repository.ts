import { type Page, type SeoSourceType } from '@smartbeak/contracts';
import {
  isUniqueViolation,
  isUuid,
  newestFirst,
  orgFilter,
  Repository,
  type TenantScope,
  Where,
} from '@smartbeak/persistence';

/** A `seo_sources` row (dates as YYYY-MM-DD). */
export interface SourceRow {
  id: string;
  orgId: string;
  domainId: string;
  type: SeoSourceType;
  name: string;
  external: string;
  settings: Record<string, unknown>;
  secret: string;
  historyFrom: string | null;
  finalThrough: string | null;
  paused: boolean;
  createdBy: string;
  createdAt: Date;
}

export const SOURCE_COLUMNS = `id, org_id AS "orgId", domain_id AS "domainId", type, name, external, settings, secret,
  to_char(history_from, 'YYYY-MM-DD') AS "historyFrom", to_char(final_through, 'YYYY-MM-DD') AS "finalThrough", paused,
  created_by AS "createdBy", created_at AS "createdAt"`;

/** SEO sources, always within one org. Work across orgs is in sources.system.ts. */
export class SourcesRepository extends Repository {
  /** The new row, or null when the domain has this source already (same type and property or target). */
  async insert(
    scope: TenantScope,
    row: Pick<
      SourceRow,
      'id' | 'domainId' | 'type' | 'name' | 'external' | 'settings' | 'secret' | 'createdBy'
    >,
  ): Promise<SourceRow | null> {
    try {
      return (
        (await this.sql.one<SourceRow>(
          `INSERT INTO seo_sources (id, org_id, domain_id, type, name, external, settings, secret, created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${SOURCE_COLUMNS}`,
          [
            row.id,
            scope.orgId,
            row.domainId,
            row.type,
            row.name,
            row.external,
            JSON.stringify(row.settings),
            row.secret,
            row.createdBy,
          ],
        )) ?? null
      );
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
  }

  find(scope: TenantScope, id: string): Promise<SourceRow | undefined> {
    if (!isUuid(id)) return Promise.resolve(undefined);
    return this.sql.one<SourceRow>(
      `SELECT ${SOURCE_COLUMNS} FROM seo_sources WHERE id = $1 AND ${orgFilter('org_id', '$2')}`,
      [id, scope.orgId],
    );
  }

  list(
    scope: TenantScope,
    filters: { domainId?: string; limit?: number; cursor?: string },
  ): Promise<Page<SourceRow>> {
    const where = new Where().add('org_id = ?', scope.orgId);
    if (filters.domainId) where.add('domain_id = ?', filters.domainId);
    return newestFirst<SourceRow>(this.sql, `SELECT ${SOURCE_COLUMNS} FROM seo_sources`, where, filters);
  }

  /** Deletes the source with its ingestions and metrics (cascade). */
  async remove(scope: TenantScope, id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    return (
      (await this.sql.run(`DELETE FROM seo_sources WHERE id = $1 AND ${orgFilter('org_id', '$2')}`, [
        id,
        scope.orgId,
      ])) > 0
    );
  }

  /** Ahrefs units the org's ingestions spent this calendar month (UTC). */
  async unitsSpentThisMonth(scope: TenantScope): Promise<number> {
    const row = await this.sql.one<{ units: string }>(
      `SELECT coalesce(sum(units_spent), 0) AS units FROM ingestions
        WHERE org_id = $1 AND created_at >= date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`,
      [scope.orgId],
    );
    return Number(row?.units ?? 0);
  }
}
