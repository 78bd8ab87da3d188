import { type DomainStatus, type ListDomainsQueryDto, type Page } from '@smartbeak/contracts';
import { isUuid, newestFirst, orgFilter, Repository, type TenantScope, Where } from '@smartbeak/persistence';

/** A site in the registry. Hostnames are unique per org. */
export interface DomainRow {
  id: string;
  orgId: string;
  name: string;
  hostname: string;
  status: DomainStatus;
  createdAt: Date;
  updatedAt: Date;
}

const DOMAIN_COLUMNS = `id, org_id AS "orgId", name, hostname, status, created_at AS "createdAt", updated_at AS "updatedAt"`;

/** The domain registry, within one org. */
export class DomainsRepository extends Repository {
  async insert(scope: TenantScope, fields: Pick<DomainRow, 'name' | 'hostname'>): Promise<DomainRow> {
    const row = await this.sql.one<DomainRow>(
      `INSERT INTO domains (org_id, name, hostname, status) VALUES ($1, $2, $3, 'active') RETURNING ${DOMAIN_COLUMNS}`,
      [scope.orgId, fields.name, fields.hostname],
    );
    return row!;
  }

  findById(scope: TenantScope, id: string): Promise<DomainRow | undefined> {
    if (!isUuid(id)) return Promise.resolve(undefined);
    return this.sql.one<DomainRow>(
      `SELECT ${DOMAIN_COLUMNS} FROM domains WHERE id = $1 AND ${orgFilter('org_id', '$2')}`,
      [id, scope.orgId],
    );
  }

  list(scope: TenantScope, query: ListDomainsQueryDto): Promise<Page<DomainRow>> {
    const where = new Where().add('org_id = ?', scope.orgId);
    if (query.status) where.add('status = ?', query.status);
    return newestFirst<DomainRow>(this.sql, `SELECT ${DOMAIN_COLUMNS} FROM domains`, where, query);
  }

  /** One domain's status; undefined when it is not the org's, or already had that status. */
  setStatus(scope: TenantScope, id: string, status: DomainStatus): Promise<DomainRow | undefined> {
    if (!isUuid(id)) return Promise.resolve(undefined);
    return this.sql.one<DomainRow>(
      `UPDATE domains SET status = $3, updated_at = now() WHERE id = $1 AND ${orgFilter('org_id', '$2')} AND status <> $3
       RETURNING ${DOMAIN_COLUMNS}`,
      [id, scope.orgId, status],
    );
  }

  /** Every domain of the org suspended (the org was deleted in Clerk). */
  async suspendAll(scope: TenantScope): Promise<void> {
    await this.sql.run(`UPDATE domains SET status = 'suspended', updated_at = now() WHERE org_id = $1`, [
      scope.orgId,
    ]);
  }
}
