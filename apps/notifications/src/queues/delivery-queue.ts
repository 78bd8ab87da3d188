import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { type OutboundChannel } from '@smartbeak/contracts';
import { type Queue } from 'bullmq';

import { CHANNEL_QUEUES, DIGEST_JOB, JOB_RETENTION, OPERATOR_QUEUE, PAGE_JOB, SEND_JOB } from './queues';

/**
 * Puts deliveries on their channel's queue. Job ids are deterministic per
 * try, so a repeat add (after-commit and the sweeper) is one job; the
 * delivery's claim makes any duplicate that does run harmless.
 */
@Injectable()
export class DeliveryQueue {
  private readonly queues: Record<OutboundChannel, Queue>;

  constructor(
    @InjectQueue(CHANNEL_QUEUES.email) email: Queue,
    @InjectQueue(CHANNEL_QUEUES.sms) sms: Queue,
    @InjectQueue(CHANNEL_QUEUES.push) push: Queue,
    @InjectQueue(OPERATOR_QUEUE) private readonly operator: Queue,
  ) {
    this.queues = { email, sms, push };
  }

  async send(
    channel: OutboundChannel,
    deliveryId: string,
    options: { delayMs?: number; key?: string } = {},
  ): Promise<void> {
    await this.queues[channel].add(
      SEND_JOB,
      { deliveryId },
      {
        jobId: `${deliveryId}-${options.key ?? 'first'}`,
        delay: Math.max(0, options.delayMs ?? 0),
        ...JOB_RETENTION,
      },
    );
  }

  async digest(digestId: string, key = 'first'): Promise<void> {
    await this.queues.email.add(
      DIGEST_JOB,
      { digestId },
      { jobId: `digest-${digestId}-${key}`, ...JOB_RETENTION },
    );
  }

  async page(alertId: string, key = 'first', delayMs = 0): Promise<void> {
    await this.operator.add(
      PAGE_JOB,
      { alertId },
      { jobId: `page-${alertId}-${key}`, delay: delayMs, ...JOB_RETENTION },
    );
  }
}
