import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { RpcCtx } from '@smartbeak/auth';
import {
  CreateSeoSourceDto,
  ListSeoSourcesQueryDto,
  type Page,
  type RequestContext,
  SeoIdDto,
  SeoPatterns,
  type SeoSourceDto,
  type SeoSourceTestDto,
} from '@smartbeak/contracts';
import { RpcPayload } from '@smartbeak/messaging';

import { SourcesService } from './sources.service';

/** Thin: each pattern validates its payload and calls the service. */
@Controller()
export class SourcesHandler {
  constructor(private readonly sources: SourcesService) {}

  @MessagePattern(SeoPatterns.sourceCreate)
  create(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(CreateSeoSourceDto) input: CreateSeoSourceDto,
  ): Promise<SeoSourceDto> {
    return this.sources.create(ctx, input);
  }

  @MessagePattern(SeoPatterns.sourceGet)
  get(@RpcCtx() ctx: RequestContext, @RpcPayload(SeoIdDto) { id }: SeoIdDto): Promise<SeoSourceDto> {
    return this.sources.get(ctx, id);
  }

  @MessagePattern(SeoPatterns.sourceList)
  list(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(ListSeoSourcesQueryDto) query: ListSeoSourcesQueryDto,
  ): Promise<Page<SeoSourceDto>> {
    return this.sources.list(ctx, query);
  }

  @MessagePattern(SeoPatterns.sourceTest)
  test(@RpcCtx() ctx: RequestContext, @RpcPayload(SeoIdDto) { id }: SeoIdDto): Promise<SeoSourceTestDto> {
    return this.sources.test(ctx, id);
  }

  @MessagePattern(SeoPatterns.sourceRemove)
  async remove(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(SeoIdDto) { id }: SeoIdDto,
  ): Promise<{ removed: true }> {
    await this.sources.remove(ctx, id);
    return { removed: true };
  }
}
