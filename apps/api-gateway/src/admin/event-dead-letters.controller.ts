import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags, ApiOperation } from '@nestjs/swagger';
import { CurrentContext, RequirePermissions } from '@smartbeak/auth';
import {
  eventDeadLetterPatterns,
  ListEventDeadLettersQueryDto,
  Page,
  RequestContext,
  SERVICES,
} from '@smartbeak/contracts';
import { DomainError } from '@smartbeak/errors';
import { type EventDeadLetterDto } from '@smartbeak/messaging';

import { GatewayRpc } from '../rpc/gateway-rpc';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Events a service gave up on (out of attempts, or refused as forged), for
 * operators: admins of an OPERATOR_ORGS org — the service checks that again.
 */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('admin/event-dead-letters')
export class EventDeadLettersController {
  constructor(private readonly rpc: GatewayRpc) {}

  @Get()
  @RequirePermissions('org:admin')
  @ApiOperation({ summary: 'Events a service could not apply (operators)' })
  list(
    @CurrentContext() ctx: RequestContext,
    @Query() query: ListEventDeadLettersQueryDto,
  ): Promise<Page<EventDeadLetterDto>> {
    const { service = 'control-plane', ...page } = query;
    return this.rpc.forward(eventDeadLetterPatterns(service).list, ctx, page);
  }

  @Post(':service/:id/redrive')
  @HttpCode(200)
  @RequirePermissions('org:admin')
  @ApiOperation({ summary: 'Deliver a dead-lettered event again (operators)' })
  redrive(
    @CurrentContext() ctx: RequestContext,
    @Param('service') service: string,
    @Param('id') id: string,
  ): Promise<EventDeadLetterDto> {
    if (!(SERVICES as readonly string[]).includes(service)) {
      throw DomainError.validation([{ field: 'service', message: `one of ${SERVICES.join(', ')}` }]);
    }
    if (!UUID.test(id)) throw DomainError.validation([{ field: 'id', message: 'must be a dead letter id' }]);
    return this.rpc.forward(eventDeadLetterPatterns(service).redrive, ctx, { id });
  }
}
