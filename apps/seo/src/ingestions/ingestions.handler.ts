import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { RpcCtx } from '@smartbeak/auth';
import {
  type IngestionDto,
  ListIngestionsQueryDto,
  type Page,
  type RequestContext,
  RunIngestionDto,
  SeoIdDto,
  SeoPatterns,
} from '@smartbeak/contracts';
import { RpcPayload } from '@smartbeak/messaging';

import { IngestionsService } from './ingestions.service';

/** Thin: each pattern validates its payload and calls the service. */
@Controller()
export class IngestionsHandler {
  constructor(private readonly ingestions: IngestionsService) {}

  @MessagePattern(SeoPatterns.ingestionRun)
  run(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(RunIngestionDto) input: RunIngestionDto,
  ): Promise<IngestionDto> {
    return this.ingestions.run(ctx, input);
  }

  @MessagePattern(SeoPatterns.ingestionGet)
  get(@RpcCtx() ctx: RequestContext, @RpcPayload(SeoIdDto) { id }: SeoIdDto): Promise<IngestionDto> {
    return this.ingestions.get(ctx, id);
  }

  @MessagePattern(SeoPatterns.ingestionList)
  list(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(ListIngestionsQueryDto) query: ListIngestionsQueryDto,
  ): Promise<Page<IngestionDto>> {
    return this.ingestions.list(ctx, query);
  }
}
