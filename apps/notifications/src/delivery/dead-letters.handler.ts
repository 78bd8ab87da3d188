import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { RpcCtx } from '@smartbeak/auth';
import {
  type DeliveryDeadLetterDto,
  ListDeliveryDeadLettersQueryDto,
  NotificationIdDto,
  type Page,
  Patterns,
  type RequestContext,
} from '@smartbeak/contracts';
import { RpcPayload } from '@smartbeak/messaging';

import { DeadLettersService } from './dead-letters.service';

/** Thin: each pattern validates its payload and calls the service. */
@Controller()
export class DeadLettersHandler {
  constructor(private readonly letters: DeadLettersService) {}

  @MessagePattern(Patterns.notifications.deadLetterList)
  list(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(ListDeliveryDeadLettersQueryDto) query: ListDeliveryDeadLettersQueryDto,
  ): Promise<Page<DeliveryDeadLetterDto>> {
    return this.letters.list(ctx, query);
  }

  @MessagePattern(Patterns.notifications.deadLetterRedrive)
  redrive(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(NotificationIdDto) { id }: NotificationIdDto,
  ): Promise<DeliveryDeadLetterDto> {
    return this.letters.redrive(ctx, id);
  }
}
