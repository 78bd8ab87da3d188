import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type Type,
} from '@nestjs/common';
import { ServiceConfig } from '@smartbeak/config';
import { EventConsumer, EventDeadLetters, type EventHandler, MessageKeys } from '@smartbeak/messaging';
import { Database } from '@smartbeak/persistence';

import { SERVICE_CONFIG } from './service-runtime.module';

/** A provider that says which event types it applies, and how. */
export interface EventHandlerSet {
  handlers(): Record<string, EventHandler>;
}

/**
 * Consumes the service's `<service>-events` queue for as long as the
 * process lives, applying each event once (see `applyOnce`) with the
 * handlers of `handlerSet`. Add both to the module's providers.
 */
export function eventConsumerHost(
  queue: string,
  consumer: string,
  handlerSet: Type<EventHandlerSet>,
): Type<OnApplicationBootstrap & OnApplicationShutdown> {
  @Injectable()
  class EventConsumerHost implements OnApplicationBootstrap, OnApplicationShutdown {
    private consumer?: EventConsumer;
    private readonly logger = new Logger('EventConsumer');

    constructor(
      @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
      private readonly database: Database,
      private readonly keys: MessageKeys,
      private readonly deadLetters: EventDeadLetters,
      @Inject(handlerSet) private readonly set: EventHandlerSet,
    ) {}

    async onApplicationBootstrap(): Promise<void> {
      this.consumer = new EventConsumer({
        database: this.database,
        redisUrl: this.config.REDIS_URL,
        prefix: this.config.REDIS_PREFIX,
        queue,
        consumer,
        handlers: this.set.handlers(),
        keys: this.keys,
        deadLetters: this.deadLetters,
        // The alert hook: an error line operators' log alerting matches on, beside the metric.
        onDeadLetter: (event, error) =>
          this.logger.error(
            `ALERT event dead-lettered: ${String(event?.id)} (${String(event?.type)}) on ${queue}: ${(error as Error)?.message ?? error}`,
          ),
        onRefused: (event, reason) =>
          this.logger.warn(
            `Refused event ${String(event?.id)} (${String(event?.type)}) on ${queue}: ${reason}`,
          ),
      });
      await this.consumer.start();
    }

    async onApplicationShutdown(): Promise<void> {
      await this.consumer?.stop();
    }
  }
  return EventConsumerHost;
}
