import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiExcludeEndpoint,
  ApiHeader,
  ApiOkResponse,
  ApiTags,
  ApiOperation,
} from '@nestjs/swagger';
import { CurrentContext, Public, RequirePermissions } from '@smartbeak/auth';
import {
  ApiPageOf,
  CreateUploadIntentDto,
  ListMediaQueryDto,
  MediaAssetDto,
  type Page,
  Patterns,
  type RequestContext,
  UploadIntentDto,
} from '@smartbeak/contracts';
import { type JsonText } from '@smartbeak/messaging';
import type { FastifyRequest } from 'fastify';

type Request = FastifyRequest & { rawBody?: Buffer };

import { Idempotent } from '../idempotency/idempotency.interceptor';
import { GatewayRpc } from '../rpc/gateway-rpc';

@ApiTags('media')
@ApiBearerAuth()
@Controller('media')
export class MediaController {
  constructor(private readonly rpc: GatewayRpc) {}

  @Post('upload-intents')
  @HttpCode(201)
  @Idempotent()
  @RequirePermissions('media:write')
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiCreatedResponse({
    type: UploadIntentDto,
    description: 'PUT the bytes to upload.url with upload.headers, then POST /api/media/:id/complete',
  })
  @ApiOperation({ summary: 'Start an upload: a presigned URL to PUT the file to' })
  createUploadIntent(
    @CurrentContext() ctx: RequestContext,
    @Body() body: CreateUploadIntentDto,
  ): Promise<UploadIntentDto> {
    return this.rpc.forward(Patterns.media.uploadIntentCreate, ctx, body);
  }

  /** Signed by the storage side (HMAC, checked by the media service); no session token. */
  @Post('webhooks/storage')
  @Public()
  @HttpCode(200)
  @ApiExcludeEndpoint()
  async storageWebhook(@Req() req: Request): Promise<{ received: true; processed: number }> {
    const signature = req.headers['x-smartbeak-signature'];
    const body = req.rawBody ? req.rawBody.toString('utf8') : '';
    const { processed } = await this.rpc.asGateway<{ processed: number }>(Patterns.media.storageWebhook, {
      body,
      signature: typeof signature === 'string' ? signature : '',
    });
    return { received: true, processed };
  }

  @Post(':id/complete')
  @HttpCode(200)
  @RequirePermissions('media:write')
  @ApiOkResponse({ type: MediaAssetDto })
  @ApiOperation({ summary: 'Finish an upload: the object is checked and the asset made ready' })
  complete(@CurrentContext() ctx: RequestContext, @Param('id') id: string): Promise<MediaAssetDto> {
    return this.rpc.forward(Patterns.media.assetComplete, ctx, { id });
  }

  @Get()
  @RequirePermissions('content:read')
  @ApiPageOf(MediaAssetDto)
  @ApiOperation({ summary: "The domain's media, paged" })
  list(
    @CurrentContext() ctx: RequestContext,
    @Query() query: ListMediaQueryDto,
  ): Promise<JsonText<Page<MediaAssetDto>>> {
    return this.rpc.forwardText(Patterns.media.assetList, ctx, query);
  }

  @Get(':id')
  @RequirePermissions('content:read')
  @ApiOkResponse({ type: MediaAssetDto })
  @ApiOperation({ summary: 'One media asset with its URLs' })
  get(@CurrentContext() ctx: RequestContext, @Param('id') id: string): Promise<JsonText<MediaAssetDto>> {
    return this.rpc.forwardText(Patterns.media.assetGet, ctx, { id });
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermissions('media:write')
  @ApiOperation({ summary: 'Delete a media asset and its object' })
  async delete(@CurrentContext() ctx: RequestContext, @Param('id') id: string): Promise<void> {
    await this.rpc.forward(Patterns.media.assetDelete, ctx, { id });
  }
}
