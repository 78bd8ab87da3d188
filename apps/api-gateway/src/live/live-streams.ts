import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';

import { GatewayConfig } from '../config/gateway.config';
import { GATEWAY_CONFIG } from '../gateway.tokens';
import { type RedisClient, createRedis } from '@smartbeak/messaging';

type Wake = (message: string) => void;

/**
 * Live signals on Redis — notifications' (`<prefix>:live:<org>:<user>`) and the
 * publishing relay's job signals (`<prefix>:live:jobs:<org>`) —
 * on one subscriber connection for the whole gateway: a channel is
 * subscribed while at least one stream of that member is open.
 */
@Injectable()
export class LiveStreams implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(LiveStreams.name);
  private subscriber?: RedisClient;
  private ready?: Promise<void>;
  /** Per channel: its listeners, and the SUBSCRIBE that makes them hear (every caller waits for it). */
  private readonly listeners = new Map<string, { wakes: Set<Wake>; subscribed: Promise<unknown> }>();
  /** Per channel, the last SUBSCRIBE or UNSUBSCRIBE sent: the next waits for it, so they never overtake. */
  private readonly tails = new Map<string, Promise<unknown>>();

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  /** Connected at start: a SUBSCRIBE issued while ioredis still connects can race its handshake. */
  onApplicationBootstrap(): void {
    this.connection();
  }

  private connection(): RedisClient {
    if (!this.subscriber) {
      const subscriber = createRedis(this.config.REDIS_URL, { maxRetriesPerRequest: null });
      subscriber.on('error', (error) => this.logger.warn(`live signals: ${error.message}`));
      subscriber.on('message', (channel: string, message: string) => {
        for (const wake of this.listeners.get(channel)?.wakes ?? []) wake(message);
      });
      // One channel always subscribed: the count never falls to zero, so ioredis never leaves subscriber
      // mode between one stream's UNSUBSCRIBE and the next one's SUBSCRIBE (and misreads what follows).
      this.ready = new Promise<void>((resolve) => subscriber.once('ready', () => resolve())).then(
        async () => {
          await subscriber.subscribe(`${this.config.REDIS_PREFIX}:live:keepalive`);
        },
      );
      this.subscriber = subscriber;
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

  /**
   * Resolves once the channel is subscribed (so a signal sent after it is
   * heard), whether this call subscribed it or an earlier one is doing so.
   */
  private async listenTo(channel: string, wake: Wake): Promise<() => void> {
    let entry = this.listeners.get(channel);
    if (!entry) {
      const connection = this.connection();
      entry = { wakes: new Set(), subscribed: this.inTurn(channel, () => connection.subscribe(channel)) };
      this.listeners.set(channel, entry);
    }
    entry.wakes.add(wake);
    const mine = entry;
    const stop = () => {
      mine.wakes.delete(wake);
      if (!mine.wakes.size && this.listeners.get(channel) === mine) {
        this.listeners.delete(channel);
        void this.inTurn(channel, async () => this.subscriber?.unsubscribe(channel)).catch(() => undefined);
      }
    };
    try {
      await mine.subscribed;
    } catch (error) {
      stop();
      throw error;
    }
    return stop;
  }

  /** Runs `command` for `channel` once the connection is ready and the channel's previous command is answered. */
  private inTurn(channel: string, command: () => Promise<unknown>): Promise<unknown> {
    const previous = this.tails.get(channel) ?? this.ready ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(command);
    this.tails.set(channel, next);
    void next
      .catch(() => undefined)
      .then(() => {
        if (this.tails.get(channel) === next) this.tails.delete(channel);
      });
    return next;
  }

  onApplicationShutdown(): void {
    this.subscriber?.disconnect();
  }
}
