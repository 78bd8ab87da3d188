import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentContext, RequirePermissions } from '@smartbeak/auth';
import {
  ApiPageOf,
  AcquireLockDto,
  ContentDiffDto,
  ContentEventDto,
  ContentItemDto,
  ContentLockDto,
  ContentRevisionDto,
  CreateContentDto,
  ListContentQueryDto,
  type Page,
  PageQueryDto,
  Patterns,
  type RequestContext,
  RestoreRevisionDto,
  TransitionDto,
  UpdateContentDto,
} from '@smartbeak/contracts';

import { Idempotent } from '../idempotency/idempotency.interceptor';
import { GatewayRpc } from '../rpc/gateway-rpc';

/**
 * docs/api.md § Content. The gateway checks the coarse permission; the content
 * service checks each move's own (review, publish) and owns every rule.
 */
@ApiTags('content')
@ApiBearerAuth()
@Controller('content')
export class ContentController {
  constructor(private readonly rpc: GatewayRpc) {}

  @Post()
  @HttpCode(201)
  @Idempotent()
  @RequirePermissions('content:write')
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiCreatedResponse({ type: ContentItemDto, description: 'A draft at version 1' })
  create(@CurrentContext() ctx: RequestContext, @Body() body: CreateContentDto): Promise<ContentItemDto> {
    return this.rpc.forward(Patterns.content.create, ctx, body);
  }

  @Post('update')
  @HttpCode(200)
  @RequirePermissions('content:write')
  @ApiOperation({
    summary: 'Edit; 409 with currentVersion when version is stale, 423 when another user holds the lock',
  })
  @ApiOkResponse({ type: ContentItemDto })
  update(@CurrentContext() ctx: RequestContext, @Body() body: UpdateContentDto): Promise<ContentItemDto> {
    return this.rpc.forward(Patterns.content.update, ctx, body);
  }

  @Get()
  @RequirePermissions('content:read')
  @ApiPageOf(ContentItemDto)
  list(
    @CurrentContext() ctx: RequestContext,
    @Query() query: ListContentQueryDto,
  ): Promise<Page<ContentItemDto>> {
    return this.rpc.forward(Patterns.content.list, ctx, query);
  }

  @Get(':id')
  @RequirePermissions('content:read')
  @ApiOkResponse({ type: ContentItemDto })
  get(@CurrentContext() ctx: RequestContext, @Param('id') id: string): Promise<ContentItemDto> {
    return this.rpc.forward(Patterns.content.get, ctx, { id });
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermissions('content:write')
  @ApiNoContentResponse({ description: 'Soft-deleted; purged after 30 days unless restored' })
  async delete(@CurrentContext() ctx: RequestContext, @Param('id') id: string): Promise<void> {
    await this.rpc.forward(Patterns.content.delete, ctx, { id });
  }

  @Post(':id/restore')
  @HttpCode(200)
  @RequirePermissions('content:write')
  @ApiOkResponse({ type: ContentItemDto })
  restore(@CurrentContext() ctx: RequestContext, @Param('id') id: string): Promise<ContentItemDto> {
    return this.rpc.forward(Patterns.content.restore, ctx, { id });
  }

  @Post(':id/transitions')
  @HttpCode(200)
  @ApiOperation({ summary: 'Move through the lifecycle; an illegal move is a 409 naming the allowed ones' })
  @ApiOkResponse({ type: ContentItemDto })
  transition(
    @CurrentContext() ctx: RequestContext,
    @Param('id') id: string,
    @Body() body: TransitionDto,
  ): Promise<ContentItemDto> {
    return this.rpc.forward(Patterns.content.transition, ctx, { ...body, id });
  }

  @Post(':id/lock')
  @HttpCode(200)
  @RequirePermissions('content:write')
  @ApiOkResponse({ type: ContentLockDto, description: 'Acquired or renewed; 423 when another user holds it' })
  lock(
    @CurrentContext() ctx: RequestContext,
    @Param('id') id: string,
    @Body() body: AcquireLockDto,
  ): Promise<ContentLockDto> {
    return this.rpc.forward(Patterns.content.lockAcquire, ctx, { ...body, id });
  }

  @Delete(':id/lock')
  @HttpCode(204)
  @RequirePermissions('content:write')
  @ApiNoContentResponse({ description: "Released (an admin may break another user's lock; it is audited)" })
  async unlock(@CurrentContext() ctx: RequestContext, @Param('id') id: string): Promise<void> {
    await this.rpc.forward(Patterns.content.lockRelease, ctx, { id });
  }

  @Get(':id/events')
  @RequirePermissions('content:read')
  @ApiPageOf(ContentEventDto)
  events(
    @CurrentContext() ctx: RequestContext,
    @Param('id') id: string,
    @Query() query: PageQueryDto,
  ): Promise<Page<ContentEventDto>> {
    return this.rpc.forward(Patterns.content.events, ctx, { ...query, id });
  }

  @Get(':id/revisions')
  @RequirePermissions('content:read')
  @ApiOperation({ summary: 'Newest first, without bodies; read one version for its body' })
  @ApiPageOf(ContentRevisionDto)
  revisions(
    @CurrentContext() ctx: RequestContext,
    @Param('id') id: string,
    @Query() query: PageQueryDto,
  ): Promise<Page<ContentRevisionDto>> {
    return this.rpc.forward(Patterns.content.revisionList, ctx, { ...query, id });
  }

  @Get(':id/revisions/:a/diff/:b')
  @RequirePermissions('content:read')
  @ApiOkResponse({ type: ContentDiffDto })
  diff(
    @CurrentContext() ctx: RequestContext,
    @Param('id') id: string,
    @Param('a') a: string,
    @Param('b') b: string,
  ): Promise<ContentDiffDto> {
    return this.rpc.forward(Patterns.content.revisionDiff, ctx, { id, a, b });
  }

  @Get(':id/revisions/:version')
  @RequirePermissions('content:read')
  @ApiOkResponse({ type: ContentRevisionDto })
  revision(
    @CurrentContext() ctx: RequestContext,
    @Param('id') id: string,
    @Param('version') version: string,
  ): Promise<ContentRevisionDto> {
    return this.rpc.forward(Patterns.content.revisionGet, ctx, { id, revision: version });
  }

  @Post(':id/revisions/:version/restore')
  @HttpCode(200)
  @RequirePermissions('content:write')
  @ApiOperation({ summary: "Makes that version's content the new version; body.version is the current one" })
  @ApiOkResponse({ type: ContentItemDto })
  restoreRevision(
    @CurrentContext() ctx: RequestContext,
    @Param('id') id: string,
    @Param('version') revision: string,
    @Body() body: RestoreRevisionDto,
  ): Promise<ContentItemDto> {
    return this.rpc.forward(Patterns.content.revisionRestore, ctx, { ...body, id, revision });
  }
}
