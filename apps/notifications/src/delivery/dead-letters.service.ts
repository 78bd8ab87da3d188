import { Injectable } from '@nestjs/common';
import { requirePermissions } from '@smartbeak/auth';
import {
  type DeliveryDeadLetterDto,
  type ListDeliveryDeadLettersQueryDto,
  NotificationsError,
  type OutboundChannel,
  type Page,
  type RequestContext,
} from '@smartbeak/contracts';
import { DomainError } from '@smartbeak/errors';
import { mapPage, scopeOf } from '@smartbeak/persistence';

import { DeliveryQueue } from '../queues/delivery-queue';
import { type DeadLetterRow, DeadLettersRepository } from './dead-letters.repository';

function toDto(row: DeadLetterRow): DeliveryDeadLetterDto {
  return {
    ...row,
    createdAt: row.createdAt.toISOString(),
    redrivenAt: row.redrivenAt ? row.redrivenAt.toISOString() : null,
  };
}

/** The org's deliveries that ran out of attempts; its admins see them and send them again. */
@Injectable()
export class DeadLettersService {
  constructor(
    private readonly letters: DeadLettersRepository,
    private readonly queue: DeliveryQueue,
  ) {}

  async list(
    ctx: RequestContext,
    query: ListDeliveryDeadLettersQueryDto,
  ): Promise<Page<DeliveryDeadLetterDto>> {
    requirePermissions(ctx, 'org:admin');
    return mapPage(await this.letters.list(scopeOf(ctx), query), toDto);
  }

  async redrive(ctx: RequestContext, id: string): Promise<DeliveryDeadLetterDto> {
    requirePermissions(ctx, 'org:admin');
    const scope = scopeOf(ctx);
    const delivery = await this.letters.redrive(scope, id);
    if (!delivery) {
      throw new DomainError(
        NotificationsError.DEAD_LETTER_NOT_FOUND,
        'Dead letter not found (or already re-driven)',
      );
    }
    await this.queue.send(delivery.channel as OutboundChannel, delivery.deliveryId, { key: `redrive-${id}` });
    return toDto((await this.letters.find(scope, id))!);
  }
}
