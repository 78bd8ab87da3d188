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
import { type JsonText } from '@smartbeak/messaging';

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
  @ApiOperation({ summary: 'Create a draft' })
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
  @ApiOperation({ summary: "The domain's content, paged and filtered, without bodies" })
  list(
    @CurrentContext() ctx: RequestContext,
    @Query() query: ListContentQueryDto,
  ): Promise<JsonText<Page<ContentItemDto>>> {
    return this.rpc.forwardText(Patterns.content.list, ctx, query);
  }

  @Get(':id')
  @RequirePermissions('content:read')
  @ApiOkResponse({ type: ContentItemDto })
  @ApiOperation({ summary: 'One content item with its body (ETag for If-Match)' })
  get(@CurrentContext() ctx: RequestContext, @Param('id') id: string): Promise<JsonText<ContentItemDto>> {
    return this.rpc.forwardText(Patterns.content.get, ctx, { id });
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermissions('content:write')
  @ApiNoContentResponse({ description: 'Soft-deleted; purged after 30 days unless restored' })
  @ApiOperation({ summary: 'Soft-delete an item (restorable until purged)' })
  async delete(@CurrentContext() ctx: RequestContext, @Param('id') id: string): Promise<void> {
    await this.rpc.forward(Patterns.content.delete, ctx, { id });
  }

  @Post(':id/restore')
  @HttpCode(200)
  @RequirePermissions('content:write')
  @ApiOkResponse({ type: ContentItemDto })
  @ApiOperation({ summary: 'Restore a soft-deleted item' })
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
  @ApiOperation({ summary: 'Take or renew the edit lock' })
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
  @ApiOperation({ summary: 'Release the edit lock' })
  async unlock(@CurrentContext() ctx: RequestContext, @Param('id') id: string): Promise<void> {
    await this.rpc.forward(Patterns.content.lockRelease, ctx, { id });
  }

  @Get(':id/events')
  @RequirePermissions('content:read')
  @ApiPageOf(ContentEventDto)
  @ApiOperation({ summary: "The item's lifecycle events, newest first" })
  events(
    @CurrentContext() ctx: RequestContext,
    @Param('id') id: string,
    @Query() query: PageQueryDto,
  ): Promise<JsonText<Page<ContentEventDto>>> {
    return this.rpc.forwardText(Patterns.content.events, ctx, { ...query, id });
  }

  @Get(':id/revisions')
  @RequirePermissions('content:read')
  @ApiOperation({ summary: 'Newest first, without bodies; read one version for its body' })
  @ApiPageOf(ContentRevisionDto)
  revisions(
    @CurrentContext() ctx: RequestContext,
    @Param('id') id: string,
    @Query() query: PageQueryDto,
  ): Promise<JsonText<Page<ContentRevisionDto>>> {
    return this.rpc.forwardText(Patterns.content.revisionList, ctx, { ...query, id });
  }

  @Get(':id/revisions/:a/diff/:b')
  @RequirePermissions('content:read')
  @ApiOkResponse({ type: ContentDiffDto })
  @ApiOperation({ summary: 'The difference between two versions' })
  diff(
    @CurrentContext() ctx: RequestContext,
    @Param('id') id: string,
    @Param('a') a: string,
    @Param('b') b: string,
  ): Promise<JsonText<ContentDiffDto>> {
    return this.rpc.forwardText(Patterns.content.revisionDiff, ctx, { id, a, b });
  }

  @Get(':id/revisions/:version')
  @RequirePermissions('content:read')
  @ApiOkResponse({ type: ContentRevisionDto })
  @ApiOperation({ summary: 'One version, with its body' })
  revision(
    @CurrentContext() ctx: RequestContext,
    @Param('id') id: string,
    @Param('version') version: string,
  ): Promise<JsonText<ContentRevisionDto>> {
    return this.rpc.forwardText(Patterns.content.revisionGet, ctx, { id, revision: version });
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
