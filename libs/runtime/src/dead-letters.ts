import { Controller, Inject, type OnApplicationShutdown } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { requirePermissions, RpcCtx } from '@smartbeak/auth';
import { ServiceConfig, splitList } from '@smartbeak/config';
import {
  CommonError,
  EventDeadLetterIdDto,
  eventDeadLetterPatterns,
  ListEventDeadLettersQueryDto,
  type Page,
  type RequestContext,
} from '@smartbeak/contracts';
import { DomainError } from '@smartbeak/errors';
import {
  type EventDeadLetterDto,
  EventDeadLetters,
  RpcPayload,
  bullConnection,
  bullPrefix,
} from '@smartbeak/messaging';
import { systemScope } from '@smartbeak/persistence';
import { Queue } from 'bullmq';

import { SERVICE_CONFIG } from './tokens';

/** Dead letters are platform-wide: operators see every org's. */
const OPERATORS = systemScope('operators list and re-drive event dead letters');

/** Operators (admins of an OPERATOR_ORGS org) list and re-drive the service's event dead letters. */
export function deadLetterHandler(service: string): new (...args: never[]) => object {
  const patterns = eventDeadLetterPatterns(service);

  @Controller()
  class EventDeadLetterHandler implements OnApplicationShutdown {
    private readonly queues = new Map<string, Queue>();

    constructor(
      private readonly deadLetters: EventDeadLetters,
      @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    ) {}

    @MessagePattern(patterns.list)
    list(
      @RpcCtx() ctx: RequestContext,
      @RpcPayload(ListEventDeadLettersQueryDto) query: ListEventDeadLettersQueryDto,
    ): Promise<Page<EventDeadLetterDto>> {
      this.requireOperator(ctx);
      return this.deadLetters.list(OPERATORS, query);
    }

    @MessagePattern(patterns.redrive)
    async redrive(
      @RpcCtx() ctx: RequestContext,
      @RpcPayload(EventDeadLetterIdDto) { id }: EventDeadLetterIdDto,
    ): Promise<EventDeadLetterDto> {
      this.requireOperator(ctx);
      const redriven = await this.deadLetters.redrive(OPERATORS, id, (name) => this.queue(name));
      if (!redriven)
        throw new DomainError(CommonError.NOT_FOUND, 'No such dead letter waiting to be re-driven');
      return redriven;
    }

    async onApplicationShutdown(): Promise<void> {
      await Promise.all([...this.queues.values()].map((queue) => queue.close()));
    }

    private requireOperator(ctx: RequestContext): void {
      requirePermissions(ctx, 'org:admin');
      if (!splitList(this.config.OPERATOR_ORGS).includes(ctx.orgId)) {
        throw DomainError.forbidden('Event dead letters are for admins of an operator org');
      }
    }

    private queue(name: string): Queue {
      let queue = this.queues.get(name);
      if (!queue) {
        queue = new Queue(name, {
          connection: bullConnection(this.config.REDIS_URL),
          prefix: bullPrefix(this.config.REDIS_PREFIX),
        });
        this.queues.set(name, queue);
      }
      return queue;
    }
  }
  return EventDeadLetterHandler;
}
