import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';

import { GatewayConfig } from '../config/gateway.config';
import { GATEWAY_CONFIG } from '../gateway.tokens';

type Wake = () => void;

/**
 * The live-stream signals notifications publishes (`<prefix>:live:<org>:<user>`),
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
      this.subscriber.on('message', (channel: string) => {
        for (const wake of this.listeners.get(channel) ?? []) wake();
      });
    }
    return this.subscriber;
  }

  /** Calls `wake` on each signal for the member until the returned function is called. */
  async listen(orgId: string, userId: string, wake: Wake): Promise<() => void> {
    const channel = `${this.config.REDIS_PREFIX}:live:${orgId}:${userId}`;
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
