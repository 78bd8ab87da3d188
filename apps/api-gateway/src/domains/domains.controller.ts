import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiTags,
  ApiOperation,
} from '@nestjs/swagger';
import { CurrentContext, RequirePermissions } from '@smartbeak/auth';
import {
  ApiPageOf,
  CreateDomainDto,
  DomainDto,
  type DomainStatus,
  ListDomainsQueryDto,
  Page,
  Patterns,
  RequestContext,
} from '@smartbeak/contracts';
import { type JsonText } from '@smartbeak/messaging';

import { Idempotent } from '../idempotency/idempotency.interceptor';
import { ControlPlaneCache } from '../rpc/control-plane-cache';
import { GatewayRpc } from '../rpc/gateway-rpc';

@ApiTags('control-plane')
@ApiBearerAuth()
@Controller('domains')
export class DomainsController {
  constructor(
    private readonly rpc: GatewayRpc,
    private readonly cache: ControlPlaneCache,
  ) {}

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
  @ApiOperation({ summary: 'Add a domain to the org' })
  create(@CurrentContext() ctx: RequestContext, @Body() body: CreateDomainDto): Promise<DomainDto> {
    return this.rpc.forward(Patterns.controlPlane.domainCreate, ctx, body);
  }

  @Get()
  @ApiPageOf(DomainDto)
  @ApiOperation({ summary: "The org's domains, paged" })
  list(
    @CurrentContext() ctx: RequestContext,
    @Query() query: ListDomainsQueryDto,
  ): Promise<JsonText<Page<DomainDto>>> {
    return this.rpc.forwardText(Patterns.controlPlane.domainList, ctx, query);
  }

  @Get(':id')
  @ApiOkResponse({ type: DomainDto })
  @ApiOperation({ summary: 'One domain' })
  get(@CurrentContext() ctx: RequestContext, @Param('id') id: string): DomainDto | Promise<DomainDto> {
    const pattern = Patterns.controlPlane.domainGet;
    return this.cache.read(pattern, ctx, { id }, () => this.rpc.forward<DomainDto>(pattern, ctx, { id }));
  }

  @Post(':id/suspend')
  @HttpCode(200)
  @RequirePermissions('org:admin')
  @ApiOkResponse({ type: DomainDto, description: 'Suspended: it takes no new work (403) until resumed' })
  @ApiOperation({ summary: 'Suspend a domain: it becomes read-only (writes answer 403)' })
  suspend(@CurrentContext() ctx: RequestContext, @Param('id') id: string): Promise<DomainDto> {
    return this.setStatus(ctx, id, 'suspended');
  }

  @Post(':id/resume')
  @HttpCode(200)
  @RequirePermissions('org:admin')
  @ApiOkResponse({ type: DomainDto })
  @ApiOperation({ summary: 'Resume a suspended domain' })
  resume(@CurrentContext() ctx: RequestContext, @Param('id') id: string): Promise<DomainDto> {
    return this.setStatus(ctx, id, 'active');
  }

  /** This gateway forgets the org's kept reads at once; the others on control-plane's signal. */
  private async setStatus(ctx: RequestContext, id: string, status: DomainStatus): Promise<DomainDto> {
    try {
      return await this.rpc.forward<DomainDto>(Patterns.controlPlane.domainSetStatus, ctx, { id, status });
    } finally {
      this.cache.drop(ctx.orgId);
    }
  }
}
