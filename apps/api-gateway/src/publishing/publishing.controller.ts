import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentContext, RequirePermissions } from '@smartbeak/auth';
import {
  ApiPageOf,
  CreateJobDto,
  CreateTargetDto,
  DeadLetterDto,
  JobDto,
  ListJobsQueryDto,
  ListTargetsQueryDto,
  type Page,
  PageQueryDto,
  Patterns,
  type RequestContext,
  ResolveTargetDto,
  TargetDto,
  TargetTestResultDto,
} from '@smartbeak/contracts';

import { Idempotent } from '../idempotency/idempotency.interceptor';
import { GatewayRpc } from '../rpc/gateway-rpc';

/** docs/api.md § Publishing. Secrets go in, never out. */
@ApiTags('publishing')
@ApiBearerAuth()
@Controller('publishing')
export class PublishingController {
  constructor(private readonly rpc: GatewayRpc) {}

  @Post('targets')
  @HttpCode(201)
  @Idempotent()
  @RequirePermissions('publishing:write')
  @ApiOkResponse({ type: TargetDto })
  createTarget(@CurrentContext() ctx: RequestContext, @Body() body: CreateTargetDto): Promise<TargetDto> {
    return this.rpc.forward(Patterns.publishing.targetCreate, ctx, body);
  }

  @Get('targets')
  @RequirePermissions('publishing:write')
  @ApiPageOf(TargetDto)
  listTargets(
    @CurrentContext() ctx: RequestContext,
    @Query() query: ListTargetsQueryDto,
  ): Promise<Page<TargetDto>> {
    return this.rpc.forward(Patterns.publishing.targetList, ctx, query);
  }

  @Post('targets/:id/test')
  @HttpCode(200)
  @RequirePermissions('publishing:write')
  @ApiOkResponse({ type: TargetTestResultDto })
  testTarget(@CurrentContext() ctx: RequestContext, @Param('id') id: string): Promise<TargetTestResultDto> {
    return this.rpc.forward(Patterns.publishing.targetTest, ctx, { id });
  }

  @Post('jobs')
  @HttpCode(202)
  @Idempotent()
  @RequirePermissions('content:publish')
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Same key and body within 24 h returns the first job',
  })
  @ApiAcceptedResponse({ type: JobDto })
  createJob(@CurrentContext() ctx: RequestContext, @Body() body: CreateJobDto): Promise<JobDto> {
    return this.rpc.forward(Patterns.publishing.jobCreate, ctx, body);
  }

  @Get('jobs')
  @RequirePermissions('content:read')
  @ApiPageOf(JobDto)
  listJobs(@CurrentContext() ctx: RequestContext, @Query() query: ListJobsQueryDto): Promise<Page<JobDto>> {
    return this.rpc.forward(Patterns.publishing.jobList, ctx, query);
  }

  @Get('jobs/:id')
  @RequirePermissions('content:read')
  @ApiOkResponse({ type: JobDto })
  getJob(@CurrentContext() ctx: RequestContext, @Param('id') id: string): Promise<JobDto> {
    return this.rpc.forward(Patterns.publishing.jobGet, ctx, { id });
  }

  @Post('jobs/:id/retry')
  @HttpCode(202)
  @RequirePermissions('content:publish')
  @ApiAcceptedResponse({ type: JobDto, description: 'Only the failed targets run again' })
  retry(@CurrentContext() ctx: RequestContext, @Param('id') id: string): Promise<JobDto> {
    return this.rpc.forward(Patterns.publishing.jobRetry, ctx, { id });
  }

  @Post('jobs/:id/targets/:targetId/resolve')
  @HttpCode(200)
  @RequirePermissions('content:publish')
  @ApiOkResponse({ type: JobDto })
  resolve(
    @CurrentContext() ctx: RequestContext,
    @Param('id') id: string,
    @Param('targetId') targetId: string,
    @Body() body: ResolveTargetDto,
  ): Promise<JobDto> {
    return this.rpc.forward(Patterns.publishing.jobResolveTarget, ctx, { ...body, id, targetId });
  }

  @Get('dead-letters')
  @RequirePermissions('publishing:write')
  @ApiPageOf(DeadLetterDto)
  deadLetters(
    @CurrentContext() ctx: RequestContext,
    @Query() query: PageQueryDto,
  ): Promise<Page<DeadLetterDto>> {
    return this.rpc.forward(Patterns.publishing.deadLetterList, ctx, query);
  }

  @Post('dead-letters/:id/redrive')
  @HttpCode(202)
  @RequirePermissions('publishing:write')
  @ApiAcceptedResponse({ type: JobDto })
  redrive(@CurrentContext() ctx: RequestContext, @Param('id') id: string): Promise<JobDto> {
    return this.rpc.forward(Patterns.publishing.deadLetterRedrive, ctx, { id });
  }
}
