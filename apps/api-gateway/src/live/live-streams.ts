import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';

import { GatewayConfig } from '../config/gateway.config';
import { GATEWAY_CONFIG } from '../gateway.tokens';

type Wake = (message: string) => void;

/**
 * Live signals on Redis — notifications' (`<prefix>:live:<org>:<user>`) and the
 * publishing relay's job signals (`<prefix>:live:jobs:<org>`) —
 * on one subscriber connection for the whole gateway: a channel is
 * subscribed while at least one stream of that member is open.
 */
@Injectable()
export class LiveStreams implements OnApplicationShutdown {
  private readonly logger = new Logger(LiveStreams.name);
  private subscriber?: Redis;
  private readonly listeners = new Map<string, Set<Wake>>();

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  private connection(): Redis {
    if (!this.subscriber) {
      this.subscriber = new Redis(this.config.REDIS_URL, { maxRetriesPerRequest: null });
      this.subscriber.on('error', (error) => this.logger.warn(`live signals: ${error.message}`));
      this.subscriber.on('message', (channel: string, message: string) => {
        for (const wake of this.listeners.get(channel) ?? []) wake(message);
      });
    }
    return this.subscriber;
  }

  /** Calls `wake` on each signal for the member until the returned function is called. */
  listen(orgId: string, userId: string, wake: Wake): Promise<() => void> {
    return this.listenTo(`${this.config.REDIS_PREFIX}:live:${orgId}:${userId}`, wake);
  }

  /** The same for an org's publishing jobs (publishing's relay signals each job event with the job id). */
  listenToJobs(orgId: string, wake: Wake): Promise<() => void> {
    return this.listenTo(`${this.config.REDIS_PREFIX}:live:jobs:${orgId}`, wake);
  }

  private async listenTo(channel: string, wake: Wake): Promise<() => void> {
    let set = this.listeners.get(channel);
    if (!set) {
      set = new Set();
      this.listeners.set(channel, set);
      await this.connection().subscribe(channel);
    }
    set.add(wake);
    return () => {
      const current = this.listeners.get(channel);
      current?.delete(wake);
      if (current && !current.size) {
        this.listeners.delete(channel);
        void this.subscriber?.unsubscribe(channel).catch(() => undefined);
      }
    };
  }

  onApplicationShutdown(): void {
    this.subscriber?.disconnect();
  }
}
