import { type Page, type TargetType } from '@smartbeak/contracts';
import { isUuid, newestFirst, Repository, type TenantScope, Where } from '@smartbeak/persistence';

export interface TargetRow {
  id: string;
  orgId: string;
  domainId: string;
  type: TargetType;
  name: string;
  config: Record<string, unknown>;
  /** The sealed secret part of the config. */
  secret: string;
  autoPublish: boolean;
  createdAt: Date;
}

const TARGET_COLUMNS = `id, org_id AS "orgId", domain_id AS "domainId", type, name, config, secret,
  auto_publish AS "autoPublish", created_at AS "createdAt"`;

/** A domain's destinations, within one org. */
export class TargetsRepository extends Repository {
  async insert(
    scope: TenantScope,
    target: Pick<TargetRow, 'id' | 'domainId' | 'type' | 'name' | 'config' | 'secret' | 'autoPublish'>,
  ): Promise<TargetRow> {
    const row = await this.sql.one<TargetRow>(
      `INSERT INTO publishing_targets (id, org_id, domain_id, type, name, config, secret, auto_publish)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8) RETURNING ${TARGET_COLUMNS}`,
      [
        target.id,
        scope.orgId,
        target.domainId,
        target.type,
        target.name,
        JSON.stringify(target.config),
        target.secret,
        target.autoPublish,
      ],
    );
    return row!;
  }

  list(
    scope: TenantScope,
    filters: { domainId?: string; limit?: number; cursor?: string },
  ): Promise<Page<TargetRow>> {
    const where = new Where().add('org_id = ?', scope.orgId).add('deleted_at IS NULL');
    if (filters.domainId) where.add('domain_id = ?', filters.domainId);
    return newestFirst<TargetRow>(
      this.sql,
      `SELECT ${TARGET_COLUMNS} FROM publishing_targets`,
      where,
      filters,
    );
  }

  /** The org's live targets among `ids` (ids that are not uuids are simply not found). */
  findMany(scope: TenantScope, ids: string[]): Promise<TargetRow[]> {
    const valid = ids.filter((id) => isUuid(id));
    if (!valid.length) return Promise.resolve([]);
    return this.sql.rows<TargetRow>(
      `SELECT ${TARGET_COLUMNS} FROM publishing_targets WHERE org_id = $1 AND id = ANY($2::uuid[]) AND deleted_at IS NULL`,
      [scope.orgId, valid],
    );
  }

  /** The domain's targets that publish by themselves when an item's scheduled time comes. */
  async autoPublishing(scope: TenantScope, domainId: string): Promise<string[]> {
    const rows = await this.sql.rows<{ id: string }>(
      `SELECT id FROM publishing_targets WHERE org_id = $1 AND domain_id = $2 AND auto_publish AND deleted_at IS NULL
        ORDER BY created_at`,
      [scope.orgId, domainId],
    );
    return rows.map((row) => row.id);
  }
}
