import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { SERVICE_CONFIG } from '@smartbeak/runtime';

import { type NotificationsConfig } from '../config/notifications.config';
import { type RedisClient, createRedis } from '@smartbeak/messaging';

/** The Redis channel that wakes a member's live streams at the gateway. */
export function liveChannel(prefix: string, orgId: string, userId: string): string {
  return `${prefix}:live:${orgId}:${userId}`;
}

/**
 * Tells the gateway's open streams that a member has something new. The
 * signal carries nothing but the position: the gateway reads the
 * notifications themselves over signed RPC, so a forged signal can only
 * cause an extra read.
 */
@Injectable()
export class LiveSignal implements OnApplicationShutdown {
  private readonly redis: RedisClient;

  constructor(@Inject(SERVICE_CONFIG) private readonly config: NotificationsConfig) {
    this.redis = createRedis(config.REDIS_URL, { maxRetriesPerRequest: 2, lazyConnect: true });
    this.redis.on('error', () => undefined);
  }

  async notify(orgId: string, userId: string, seq: string): Promise<void> {
    await this.redis.publish(liveChannel(this.config.REDIS_PREFIX, orgId, userId), seq);
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}
