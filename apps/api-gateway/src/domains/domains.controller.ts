import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentContext, RequirePermissions } from '@smartbeak/auth';
import {
  ApiPageOf,
  CreateDomainDto,
  DomainDto,
  ListDomainsQueryDto,
  Page,
  Patterns,
  RequestContext,
} from '@smartbeak/contracts';

import { Idempotent } from '../idempotency/idempotency.interceptor';
import { GatewayRpc } from '../rpc/gateway-rpc';

@ApiTags('control-plane')
@ApiBearerAuth()
@Controller('domains')
export class DomainsController {
  constructor(private readonly rpc: GatewayRpc) {}

  @Post()
  @HttpCode(201)
  @Idempotent()
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Same key and body within 24 h returns the first result',
  })
  @RequirePermissions('org:admin')
  @ApiCreatedResponse({ type: DomainDto })
  create(@CurrentContext() ctx: RequestContext, @Body() body: CreateDomainDto): Promise<DomainDto> {
    return this.rpc.forward(Patterns.controlPlane.domainCreate, ctx, body);
  }

  @Get()
  @ApiPageOf(DomainDto)
  list(@CurrentContext() ctx: RequestContext, @Query() query: ListDomainsQueryDto): Promise<Page<DomainDto>> {
    return this.rpc.forward(Patterns.controlPlane.domainList, ctx, query);
  }

  @Get(':id')
  @ApiOkResponse({ type: DomainDto })
  get(@CurrentContext() ctx: RequestContext, @Param('id') id: string): Promise<DomainDto> {
    return this.rpc.forward(Patterns.controlPlane.domainGet, ctx, { id });
  }

  @Post(':id/suspend')
  @HttpCode(200)
  @RequirePermissions('org:admin')
  @ApiOkResponse({ type: DomainDto, description: 'Suspended: it takes no new work (403) until resumed' })
  suspend(@CurrentContext() ctx: RequestContext, @Param('id') id: string): Promise<DomainDto> {
    return this.rpc.forward(Patterns.controlPlane.domainSetStatus, ctx, { id, status: 'suspended' });
  }

  @Post(':id/resume')
  @HttpCode(200)
  @RequirePermissions('org:admin')
  @ApiOkResponse({ type: DomainDto })
  resume(@CurrentContext() ctx: RequestContext, @Param('id') id: string): Promise<DomainDto> {
    return this.rpc.forward(Patterns.controlPlane.domainSetStatus, ctx, { id, status: 'active' });
  }
}
