import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { controlPlaneSignalChannel, type RequestContext } from '@smartbeak/contracts';
import { LRUCache } from 'lru-cache';

import { GatewayConfig } from '../config/gateway.config';
import { GATEWAY_CONFIG } from '../gateway.tokens';
import { type RedisClient, createRedis } from '@smartbeak/messaging';

/** Every field of a caller's context but its request id: what control-plane answers from. */
const CALLER_FIELDS = ['userId', 'orgId', 'domainId', 'permissions', 'email', 'name', 'orgSlug'] as const;
// A field added to RequestContext must be added above (or this line fails to compile).
const everyField: Exclude<keyof RequestContext, 'requestId' | (typeof CALLER_FIELDS)[number]> extends never
  ? true
  : never = true;
void everyField;

/**
 * The caller part of a key: the fields in a fixed order as one JSON array
 * (JSON keeps a name holding the separator from meeting the next field).
 * Cheaper than serialising a copy of the context, on every cached read.
 */
function callerKey(ctx: RequestContext): string {
  return JSON.stringify(CALLER_FIELDS.map((field) => ctx[field] ?? null));
}

/** An answer is kept at most this long, signal or not (a missed signal heals within it). */
const TTL_MS = 30_000;
const CAPACITY = 20_000;

/**
 * Control-plane answers the gateway keeps for a while, so the reads behind
 * every console click (`GET /api/me`, `GET /api/domains/:id`) need no RPC:
 *
 * - The key is the pattern, the whole caller context (minus the request id)
 *   and the payload: an answer is reused only for a caller control-plane
 *   would have answered the same way. Every check before the handler (token,
 *   permissions, rate limit) still runs on each request.
 * - A control-plane event of an org (a domain created, suspended or resumed;
 *   the org changed or deleted) drops the org's answers on every gateway:
 *   control-plane's relay publishes the org id on `<prefix>:live:control-plane`.
 *   The gateway that made the change drops them at once.
 * - Only while that signal feed is subscribed: before it is, or after its
 *   connection dropped (signals may have been missed), nothing is served
 *   from memory and everything kept is forgotten.
 */
@Injectable()
export class ControlPlaneCache implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ControlPlaneCache.name);
  private readonly answers = new LRUCache<string, object>({ max: CAPACITY, ttl: TTL_MS });
  /** Per org, how many times its answers were dropped: part of every key, so a drop is one increment. */
  private readonly generations = new Map<string, number>();
  /** Bumped whenever everything is forgotten: an answer asked before then is never kept after. */
  private epoch = 0;
  private subscriber?: RedisClient;
  private live = false;

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  onApplicationBootstrap(): void {
    const subscriber = createRedis(this.config.REDIS_URL, { maxRetriesPerRequest: null });
    const channel = controlPlaneSignalChannel(this.config.REDIS_PREFIX);
    subscriber.on('error', (error) => this.logger.warn(`control-plane signals: ${error.message}`));
    subscriber.on('message', (_channel: string, orgId: string) => this.drop(orgId));
    subscriber.on('close', () => this.forgetAll());
    subscriber.on('ready', () => {
      void subscriber.subscribe(channel).then(
        () => this.forgetAll(true),
        (error: Error) => this.logger.warn(`control-plane signals: ${error.message}`),
      );
    });
    this.subscriber = subscriber;
  }

  onApplicationShutdown(): void {
    this.subscriber?.disconnect();
  }

  /**
   * The answer to `pattern` for this caller and payload: kept (returned as
   * it is, no promise to wait on), or asked with `ask` and kept.
   */
  read<T extends object>(
    pattern: string,
    ctx: RequestContext,
    payload: object,
    ask: () => Promise<T>,
  ): T | Promise<T> {
    if (!this.live) return ask();
    const epoch = this.epoch;
    const generation = this.generations.get(ctx.orgId) ?? 0;
    const key = `${pattern}\u0000${epoch}\u0000${generation}\u0000${callerKey(ctx)}\u0000${JSON.stringify(payload)}`;
    const kept = this.answers.get(key);
    if (kept) return kept as T;
    return this.askAndKeep(key, ctx.orgId, epoch, generation, ask);
  }

  private async askAndKeep<T extends object>(
    key: string,
    orgId: string,
    epoch: number,
    generation: number,
    ask: () => Promise<T>,
  ): Promise<T> {
    const answer = await ask();
    // Kept only if nothing was dropped while asking: the answer may predate the change.
    if (this.live && this.epoch === epoch && (this.generations.get(orgId) ?? 0) === generation) {
      this.answers.set(key, answer);
    }
    return answer;
  }

  /** Forgets what is kept for the org (its next reads ask control-plane). */
  drop(orgId: string): void {
    if (this.generations.size >= CAPACITY) this.forgetAll(this.live);
    this.generations.set(orgId, (this.generations.get(orgId) ?? 0) + 1);
  }

  private forgetAll(live = false): void {
    this.live = live;
    this.epoch++;
    this.answers.clear();
    this.generations.clear();
  }
}
