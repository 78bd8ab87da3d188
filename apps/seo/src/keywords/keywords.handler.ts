import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { RpcCtx } from '@smartbeak/auth';
import {
  type KeywordDto,
  type KeywordHistoryDto,
  KeywordHistoryQueryDto,
  ListKeywordsQueryDto,
  ListSeoPagesQueryDto,
  type Page,
  type RequestContext,
  SeoPatterns,
  type SeoPageDto,
} from '@smartbeak/contracts';
import { RpcPayload } from '@smartbeak/messaging';

import { KeywordsService } from './keywords.service';

/** Thin: each pattern validates its payload and calls the service. */
@Controller()
export class KeywordsHandler {
  constructor(private readonly keywords: KeywordsService) {}

  @MessagePattern(SeoPatterns.keywordList)
  list(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(ListKeywordsQueryDto) query: ListKeywordsQueryDto,
  ): Promise<Page<KeywordDto>> {
    return this.keywords.list(ctx, query);
  }

  @MessagePattern(SeoPatterns.keywordHistory)
  history(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(KeywordHistoryQueryDto) query: KeywordHistoryQueryDto,
  ): Promise<KeywordHistoryDto> {
    return this.keywords.history(ctx, query);
  }

  @MessagePattern(SeoPatterns.pageList)
  pages(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(ListSeoPagesQueryDto) query: ListSeoPagesQueryDto,
  ): Promise<Page<SeoPageDto>> {
    return this.keywords.pages(ctx, query);
  }
}
