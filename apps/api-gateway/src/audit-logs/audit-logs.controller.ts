import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags, ApiOperation } from '@nestjs/swagger';
import { CurrentContext, RequirePermissions } from '@smartbeak/auth';
import {
  ApiPageOf,
  AuditLogDto,
  ListAuditLogsQueryDto,
  Page,
  Patterns,
  RequestContext,
} from '@smartbeak/contracts';
import { type JsonText } from '@smartbeak/messaging';

import { GatewayRpc } from '../rpc/gateway-rpc';

@ApiTags('control-plane')
@ApiBearerAuth()
@Controller('audit-logs')
export class AuditLogsController {
  constructor(private readonly rpc: GatewayRpc) {}

  @Get()
  @RequirePermissions('org:admin')
  @ApiPageOf(AuditLogDto)
  @ApiOperation({ summary: "The org's audit log, newest first, paged" })
  list(
    @CurrentContext() ctx: RequestContext,
    @Query() query: ListAuditLogsQueryDto,
  ): Promise<JsonText<Page<AuditLogDto>>> {
    return this.rpc.forwardText(Patterns.controlPlane.auditList, ctx, query);
  }
}
