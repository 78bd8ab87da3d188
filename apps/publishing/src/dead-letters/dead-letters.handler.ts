import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { RpcCtx } from '@smartbeak/auth';
import {
  type DeadLetterDto,
  type JobDto,
  type Page,
  PageQueryDto,
  Patterns,
  PublishingIdDto,
  type RequestContext,
} from '@smartbeak/contracts';
import { RpcPayload } from '@smartbeak/messaging';

import { DeadLettersService } from './dead-letters.service';

/** The dead-letter queue: thin, each pattern to the service. */
@Controller()
export class DeadLettersHandler {
  constructor(private readonly letters: DeadLettersService) {}

  @MessagePattern(Patterns.publishing.deadLetterList)
  deadLetters(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(PageQueryDto) query: PageQueryDto,
  ): Promise<Page<DeadLetterDto>> {
    return this.letters.list(ctx, query);
  }

  @MessagePattern(Patterns.publishing.deadLetterRedrive)
  redrive(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(PublishingIdDto) { id }: PublishingIdDto,
  ): Promise<JobDto> {
    return this.letters.redrive(ctx, id);
  }
}
