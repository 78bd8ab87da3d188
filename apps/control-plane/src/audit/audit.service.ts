import { Injectable } from '@nestjs/common';
import { requirePermissions } from '@smartbeak/auth';
import {
  type AuditLogDto,
  type ListAuditLogsQueryDto,
  type Page,
  type RecordAuditEntryDto,
  type RequestContext,
} from '@smartbeak/contracts';
import { mapPage, orgScope, scopeOf, type Sql, systemScope } from '@smartbeak/persistence';

import { IdentityService } from '../identity/identity.service';
import { AuditRepository, toAuditLogDto } from './audit.repository';
import { AuditSystem } from './audit.system';

export interface AuditEntry extends RecordAuditEntryDto {
  orgId: string;
  actorId: string;
  requestId?: string | null;
}

/** Retention per category, in days (docs/architecture.md § Data rules). */
export const AUDIT_RETENTION_DAYS = { auth: 365, admin: 730, data_access: 90, security: 1095 } as const;

@Injectable()
export class AuditService {
  constructor(
    private readonly entries: AuditRepository,
    private readonly system: AuditSystem,
    private readonly identity: IdentityService,
  ) {}

  /** Records an entry inside the caller's transaction `tx`, so the log and the change commit together. */
  async record(tx: Sql, entry: AuditEntry): Promise<void> {
    await this.entries.in(tx).insert(orgScope(entry.orgId), {
      domainId: entry.domainId ?? null,
      actorId: entry.actorId,
      category: entry.category,
      action: entry.action,
      targetType: entry.targetType,
      targetId: entry.targetId,
      metadata: entry.metadata ?? {},
      requestId: entry.requestId ?? null,
    });
  }

  /** An entry sent by another service over RPC, on behalf of the caller. */
  /** An entry written by a user of the org: admins only, like reading the log. */
  async recordFor(ctx: RequestContext, entry: RecordAuditEntryDto): Promise<void> {
    requirePermissions(ctx, 'org:admin');
    await this.identity.ensure(ctx);
    await this.entries.insert(scopeOf(ctx), {
      domainId: entry.domainId ?? null,
      actorId: ctx.userId,
      category: entry.category,
      action: entry.action,
      targetType: entry.targetType,
      targetId: entry.targetId,
      metadata: entry.metadata ?? {},
      requestId: ctx.requestId,
    });
  }

  async list(ctx: RequestContext, query: ListAuditLogsQueryDto): Promise<Page<AuditLogDto>> {
    requirePermissions(ctx, 'org:admin');
    await this.identity.ensure(ctx);
    return mapPage(await this.entries.list(scopeOf(ctx), query), toAuditLogDto);
  }

  /** Deletes entries past their category's retention; returns how many went. */
  async prune(): Promise<number> {
    const scope = systemScope('audit retention');
    let removed = 0;
    for (const [category, days] of Object.entries(AUDIT_RETENTION_DAYS)) {
      removed += await this.system.prune(scope, category, days);
    }
    return removed;
  }
}
