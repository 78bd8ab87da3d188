import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { RpcCtx } from '@smartbeak/auth';
import {
  AuditLogDto,
  ListAuditLogsQueryDto,
  Page,
  Patterns,
  RecordAuditEntryDto,
  RequestContext,
} from '@smartbeak/contracts';
import { RpcPayload } from '@smartbeak/messaging';

import { AuditService } from './audit.service';

@Controller()
export class AuditHandler {
  constructor(private readonly audit: AuditService) {}

  @MessagePattern(Patterns.controlPlane.auditList)
  list(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(ListAuditLogsQueryDto) query: ListAuditLogsQueryDto,
  ): Promise<Page<AuditLogDto>> {
    return this.audit.list(ctx, query);
  }

  @MessagePattern(Patterns.controlPlane.auditRecord)
  async record(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(RecordAuditEntryDto) entry: RecordAuditEntryDto,
  ): Promise<{ ok: true }> {
    await this.audit.recordFor(ctx, entry);
    return { ok: true };
  }
}
