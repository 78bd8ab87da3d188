import {
  type AuditCategory,
  type AuditLogDto,
  type ListAuditLogsQueryDto,
  type Page,
} from '@smartbeak/contracts';
import { newestFirst, Repository, type TenantScope, Where } from '@smartbeak/persistence';

/** Who did what to which object, when. Append-only; pruned per category. */
export interface AuditRow {
  id: string;
  orgId: string;
  domainId: string | null;
  actorId: string;
  category: AuditCategory;
  action: string;
  targetType: string;
  targetId: string;
  metadata: Record<string, unknown>;
  requestId: string | null;
  createdAt: Date;
}

const AUDIT_COLUMNS = `id, org_id AS "orgId", domain_id AS "domainId", actor_id AS "actorId", category, action,
  target_type AS "targetType", target_id AS "targetId", metadata, request_id AS "requestId", created_at AS "createdAt"`;

export type NewAuditRow = Omit<AuditRow, 'id' | 'orgId' | 'createdAt'>;

/** The audit log, within one org. Retention: audit.system.ts. */
export class AuditRepository extends Repository {
  async insert(scope: TenantScope, entry: NewAuditRow): Promise<void> {
    await this.sql.run(
      `INSERT INTO audit_logs (org_id, domain_id, actor_id, category, action, target_type, target_id, metadata, request_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9)`,
      [
        scope.orgId,
        entry.domainId,
        entry.actorId,
        entry.category,
        entry.action,
        entry.targetType,
        entry.targetId,
        JSON.stringify(entry.metadata),
        entry.requestId,
      ],
    );
  }

  list(scope: TenantScope, query: ListAuditLogsQueryDto): Promise<Page<AuditRow>> {
    const where = new Where().add('org_id = ?', scope.orgId);
    if (query.category) where.add('category = ?', query.category);
    if (query.action) where.add('action = ?', query.action);
    if (query.actorId) where.add('actor_id = ?', query.actorId);
    if (query.from) where.add('created_at >= ?::timestamptz', query.from);
    if (query.to) where.add('created_at < ?::timestamptz', query.to);
    return newestFirst<AuditRow>(this.sql, `SELECT ${AUDIT_COLUMNS} FROM audit_logs`, where, query);
  }
}

export function toAuditLogDto(row: AuditRow): AuditLogDto {
  return { ...row, createdAt: row.createdAt.toISOString() };
}
