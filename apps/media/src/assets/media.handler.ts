import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { RpcCtx } from '@smartbeak/auth';
import {
  CreateUploadIntentDto,
  ListMediaQueryDto,
  type MediaAssetDto,
  MediaIdDto,
  type Page,
  Patterns,
  type RequestContext,
  StorageWebhookDto,
  type UploadIntentDto,
} from '@smartbeak/contracts';
import { RpcPayload } from '@smartbeak/messaging';
import { IdempotentCommand } from '@smartbeak/runtime';

import { MediaService } from './media.service';

@Controller()
export class MediaHandler {
  constructor(private readonly media: MediaService) {}

  @MessagePattern(Patterns.media.uploadIntentCreate)
  @IdempotentCommand()
  createUploadIntent(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(CreateUploadIntentDto) input: CreateUploadIntentDto,
  ): Promise<UploadIntentDto> {
    return this.media.createUploadIntent(ctx, input);
  }

  @MessagePattern(Patterns.media.assetComplete)
  complete(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(MediaIdDto) { id }: MediaIdDto,
  ): Promise<MediaAssetDto> {
    return this.media.complete(ctx, id);
  }

  @MessagePattern(Patterns.media.assetGet)
  get(@RpcCtx() ctx: RequestContext, @RpcPayload(MediaIdDto) { id }: MediaIdDto): Promise<MediaAssetDto> {
    return this.media.get(ctx, id);
  }

  @MessagePattern(Patterns.media.assetList)
  list(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(ListMediaQueryDto) query: ListMediaQueryDto,
  ): Promise<Page<MediaAssetDto>> {
    return this.media.list(ctx, query);
  }

  @MessagePattern(Patterns.media.assetDelete)
  async delete(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(MediaIdDto) { id }: MediaIdDto,
  ): Promise<{ deleted: true }> {
    await this.media.delete(ctx, id);
    return { deleted: true };
  }

  @MessagePattern(Patterns.media.storageWebhook)
  storageWebhook(
    @RpcPayload(StorageWebhookDto) { body, signature }: StorageWebhookDto,
  ): Promise<{ processed: number }> {
    return this.media.applyStorageWebhook(body, signature);
  }
}
