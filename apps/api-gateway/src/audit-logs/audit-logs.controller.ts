import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentContext, RequirePermissions } from '@smartbeak/auth';
import {
  ApiPageOf,
  AuditLogDto,
  ListAuditLogsQueryDto,
  Page,
  Patterns,
  RequestContext,
} from '@smartbeak/contracts';

import { GatewayRpc } from '../rpc/gateway-rpc';

@ApiTags('control-plane')
@ApiBearerAuth()
@Controller('audit-logs')
export class AuditLogsController {
  constructor(private readonly rpc: GatewayRpc) {}

  @Get()
  @RequirePermissions('org:admin')
  @ApiPageOf(AuditLogDto)
  list(
    @CurrentContext() ctx: RequestContext,
    @Query() query: ListAuditLogsQueryDto,
  ): Promise<Page<AuditLogDto>> {
    return this.rpc.forward(Patterns.controlPlane.auditList, ctx, query);
  }
}
