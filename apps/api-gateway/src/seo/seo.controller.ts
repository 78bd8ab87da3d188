import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
  ApiOperation,
} from '@nestjs/swagger';
import { CurrentContext, RequirePermissions } from '@smartbeak/auth';
import {
  ApiPageOf,
  CreateSeoSourceDto,
  IngestionDto,
  KeywordDto,
  KeywordHistoryDto,
  KeywordHistoryRangeDto,
  ListIngestionsQueryDto,
  ListKeywordsQueryDto,
  ListSeoPagesQueryDto,
  ListSeoSourcesQueryDto,
  type Page,
  type RequestContext,
  RunIngestionDto,
  SeoPageDto,
  SeoPatterns,
  SeoSourceDto,
  SeoSourceTestDto,
} from '@smartbeak/contracts';
import { type JsonText } from '@smartbeak/messaging';

import { Idempotent } from '../idempotency/idempotency.interceptor';
import { GatewayRpc } from '../rpc/gateway-rpc';

/** SEO sources, ingestions, keywords and pages (docs/seo.md). Secrets go in, never out. */
@ApiTags('seo')
@ApiBearerAuth()
@Controller('seo')
export class SeoController {
  constructor(private readonly rpc: GatewayRpc) {}

  @Post('sources')
  @HttpCode(201)
  @Idempotent()
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Same key and body within 24 h returns the first result',
  })
  @RequirePermissions('seo:write')
  @ApiCreatedResponse({
    type: SeoSourceDto,
    description: 'Checked against the provider first (GSC sites.get; Ahrefs key)',
  })
  @ApiOperation({ summary: 'Connect a keyword source (Search Console or Ahrefs)' })
  createSource(
    @CurrentContext() ctx: RequestContext,
    @Body() body: CreateSeoSourceDto,
  ): Promise<SeoSourceDto> {
    return this.rpc.forward(SeoPatterns.sourceCreate, ctx, body);
  }

  @Get('sources')
  @RequirePermissions('seo:read')
  @ApiPageOf(SeoSourceDto)
  @ApiOperation({ summary: "The domain's keyword sources" })
  listSources(
    @CurrentContext() ctx: RequestContext,
    @Query() query: ListSeoSourcesQueryDto,
  ): Promise<JsonText<Page<SeoSourceDto>>> {
    return this.rpc.forwardText(SeoPatterns.sourceList, ctx, query);
  }

  @Get('sources/:id')
  @RequirePermissions('seo:read')
  @ApiOkResponse({ type: SeoSourceDto })
  @ApiOperation({ summary: 'One keyword source' })
  getSource(@CurrentContext() ctx: RequestContext, @Param('id') id: string): Promise<JsonText<SeoSourceDto>> {
    return this.rpc.forwardText(SeoPatterns.sourceGet, ctx, { id });
  }

  @Post('sources/:id/test')
  @HttpCode(200)
  @RequirePermissions('seo:write')
  @ApiOkResponse({
    type: SeoSourceTestDto,
    description: 'ok: false with the provider’s reason when the check fails',
  })
  @ApiOperation({ summary: "Check a source's credentials against its API" })
  testSource(@CurrentContext() ctx: RequestContext, @Param('id') id: string): Promise<SeoSourceTestDto> {
    return this.rpc.forward(SeoPatterns.sourceTest, ctx, { id });
  }

  @Delete('sources/:id')
  @HttpCode(204)
  @RequirePermissions('seo:write')
  @ApiNoContentResponse({ description: 'The source, its schedule, ingestions and metrics are gone' })
  @ApiOperation({ summary: 'Disconnect a keyword source' })
  async removeSource(@CurrentContext() ctx: RequestContext, @Param('id') id: string): Promise<void> {
    await this.rpc.forward(SeoPatterns.sourceRemove, ctx, { id });
  }

  @Post('ingestions')
  @HttpCode(202)
  @RequirePermissions('seo:write')
  @ApiAcceptedResponse({
    type: IngestionDto,
    description: 'Queued; while one of the source is queued or running, that one',
  })
  @ApiOperation({ summary: "Fetch a source's keywords now" })
  runIngestion(@CurrentContext() ctx: RequestContext, @Body() body: RunIngestionDto): Promise<IngestionDto> {
    return this.rpc.forward(SeoPatterns.ingestionRun, ctx, body);
  }

  @Get('ingestions')
  @RequirePermissions('seo:read')
  @ApiPageOf(IngestionDto)
  @ApiOperation({ summary: 'Ingestion runs, newest first' })
  listIngestions(
    @CurrentContext() ctx: RequestContext,
    @Query() query: ListIngestionsQueryDto,
  ): Promise<JsonText<Page<IngestionDto>>> {
    return this.rpc.forwardText(SeoPatterns.ingestionList, ctx, query);
  }

  @Get('ingestions/:id')
  @RequirePermissions('seo:read')
  @ApiOkResponse({ type: IngestionDto })
  @ApiOperation({ summary: 'One ingestion run with its counts' })
  getIngestion(
    @CurrentContext() ctx: RequestContext,
    @Param('id') id: string,
  ): Promise<JsonText<IngestionDto>> {
    return this.rpc.forwardText(SeoPatterns.ingestionGet, ctx, { id });
  }

  @Get('keywords')
  @RequirePermissions('seo:read')
  @ApiPageOf(KeywordDto)
  @ApiOperation({ summary: 'Tracked keywords with position, clicks and change' })
  listKeywords(
    @CurrentContext() ctx: RequestContext,
    @Query() query: ListKeywordsQueryDto,
  ): Promise<JsonText<Page<KeywordDto>>> {
    return this.rpc.forwardText(SeoPatterns.keywordList, ctx, query);
  }

  @Get('keywords/:id/history')
  @RequirePermissions('seo:read')
  @ApiOkResponse({ type: KeywordHistoryDto })
  @ApiOperation({ summary: "A keyword's daily history" })
  keywordHistory(
    @CurrentContext() ctx: RequestContext,
    @Param('id') id: string,
    @Query() query: KeywordHistoryRangeDto,
  ): Promise<JsonText<KeywordHistoryDto>> {
    return this.rpc.forwardText(SeoPatterns.keywordHistory, ctx, { id, ...query });
  }

  @Get('pages')
  @RequirePermissions('seo:read')
  @ApiPageOf(SeoPageDto)
  @ApiOperation({ summary: 'Pages by search performance, paged' })
  pages(
    @CurrentContext() ctx: RequestContext,
    @Query() query: ListSeoPagesQueryDto,
  ): Promise<JsonText<Page<SeoPageDto>>> {
    return this.rpc.forwardText(SeoPatterns.pageList, ctx, query);
  }
}
