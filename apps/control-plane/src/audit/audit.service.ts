import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  AuditLogDto,
  ListAuditLogsQueryDto,
  Page,
  RecordAuditEntryDto,
  RequestContext,
} from '@smartbeak/contracts';
import { keysetPage } from '@smartbeak/persistence';
import { DataSource, EntityManager } from 'typeorm';

import { AuditLogEntity } from './audit-log.entity';

export interface AuditEntry extends RecordAuditEntryDto {
  orgId: string;
  actorId: string;
  requestId?: string | null;
}

/** Retention per category, in days (ARCHITECTURE.md § Data rules). */
export const AUDIT_RETENTION_DAYS = { auth: 365, admin: 730, data_access: 90, security: 1095 } as const;

@Injectable()
export class AuditService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Records an entry inside the caller's transaction, so the log and the change commit together. */
  async record(manager: EntityManager, entry: AuditEntry): Promise<void> {
    await manager.save(
      manager.create(AuditLogEntity, {
        orgId: entry.orgId,
        domainId: entry.domainId ?? null,
        actorId: entry.actorId,
        category: entry.category,
        action: entry.action,
        targetType: entry.targetType,
        targetId: entry.targetId,
        metadata: entry.metadata ?? {},
        requestId: entry.requestId ?? null,
      }),
    );
  }

  /** An entry sent by another service (e.g. content's lock breaks). */
  async recordFor(ctx: RequestContext, entry: RecordAuditEntryDto): Promise<void> {
    await this.record(this.dataSource.manager, {
      ...entry,
      orgId: ctx.orgId,
      actorId: ctx.userId,
      requestId: ctx.requestId,
    });
  }

  async list(orgId: string, query: ListAuditLogsQueryDto): Promise<Page<AuditLogDto>> {
    const qb = this.dataSource
      .getRepository(AuditLogEntity)
      .createQueryBuilder('a')
      .where('a.org_id = :orgId', { orgId });
    if (query.category) qb.andWhere('a.category = :category', { category: query.category });
    if (query.action) qb.andWhere('a.action = :action', { action: query.action });
    const page = await keysetPage(qb, {
      sortColumn: 'a.created_at',
      idColumn: 'a.id',
      keyOf: (row) => [row.createdAt, row.id],
      limit: query.limit,
      cursor: query.cursor,
    });
    return { items: page.items.map(toAuditLogDto), nextCursor: page.nextCursor };
  }

  /** Deletes entries past their category's retention; returns how many went. */
  async prune(): Promise<number> {
    let removed = 0;
    for (const [category, days] of Object.entries(AUDIT_RETENTION_DAYS)) {
      const result = await this.dataSource.query(
        `DELETE FROM audit_logs WHERE category = $1 AND created_at < now() - make_interval(days => $2)`,
        [category, days],
      );
      removed += Number(result?.[1] ?? 0);
    }
    return removed;
  }
}

export function toAuditLogDto(row: AuditLogEntity): AuditLogDto {
  return {
    id: row.id,
    orgId: row.orgId,
    domainId: row.domainId,
    actorId: row.actorId,
    category: row.category,
    action: row.action,
    targetType: row.targetType,
    targetId: row.targetId,
    metadata: row.metadata,
    requestId: row.requestId,
    createdAt: row.createdAt.toISOString(),
  };
}
