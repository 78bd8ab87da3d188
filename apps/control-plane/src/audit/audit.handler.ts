import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { requirePermissions, RpcCtx } from '@smartbeak/auth';
import {
  AuditLogDto,
  ListAuditLogsQueryDto,
  Page,
  Patterns,
  RecordAuditEntryDto,
  RequestContext,
} from '@smartbeak/contracts';
import { RpcPayload } from '@smartbeak/messaging';

import { IdentityService } from '../identity/identity.service';
import { AuditService } from './audit.service';

@Controller()
export class AuditHandler {
  constructor(
    private readonly audit: AuditService,
    private readonly identity: IdentityService,
  ) {}

  @MessagePattern(Patterns.controlPlane.auditList)
  async list(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(ListAuditLogsQueryDto) query: ListAuditLogsQueryDto,
  ): Promise<Page<AuditLogDto>> {
    requirePermissions(ctx, 'org:admin');
    await this.identity.ensure(ctx);
    return this.audit.list(ctx.orgId, query);
  }

  @MessagePattern(Patterns.controlPlane.auditRecord)
  async record(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(RecordAuditEntryDto) entry: RecordAuditEntryDto,
  ): Promise<{ ok: true }> {
    await this.identity.ensure(ctx);
    await this.audit.recordFor(ctx, entry);
    return { ok: true };
  }
}
