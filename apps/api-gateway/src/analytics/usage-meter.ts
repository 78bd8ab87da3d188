import { randomUUID } from 'node:crypto';

import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { type AuthenticatedRequest } from '@smartbeak/auth';
import { type ApiUsageMeteredPayload, type EventEnvelope, EventQueues, Events } from '@smartbeak/contracts';
import { EVENT_JOB_OPTIONS, MessageKeys, bullConnection, bullPrefix, sealEvent } from '@smartbeak/messaging';
import { Queue } from 'bullmq';
import { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';

import { type GatewayConfig } from '../config/gateway.config';
import { GATEWAY_CONFIG } from '../gateway.tokens';

const HOUR_MS = 3_600_000;

/** `content.read`, `publishing.write`: the API area (the first path segment after /api) and read or write. */
export function routeClassOf(method: string, path: string): string {
  const area = /^\/api\/([a-z0-9-]+)/.exec(path)?.[1] ?? 'other';
  return `${area}.${method === 'GET' || method === 'HEAD' ? 'read' : 'write'}`;
}

interface Tally {
  orgId: string;
  hour: number;
  firstAt: number;
  counts: Map<string, number>;
}

/**
 * The gateway's usage meter (analytics' `api.requests`): authenticated
 * requests counted in memory per org, hour and route class — never a write
 * per request — and sent to analytics' queue every USAGE_METER_FLUSH_MS as
 * signed events, one per org and hour. A failed send keeps the counts for
 * the next flush; the last flush runs at shutdown.
 */
@Injectable()
export class UsageMeter implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(UsageMeter.name);
  /** Per hour (a number: no key to build per request), per org. */
  private tallies = new Map<number, Map<string, Tally>>();
  private queue?: Queue;
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly keys: MessageKeys,
  ) {}

  /**
   * Counts each answered request that passed authentication, from a Fastify
   * `onResponse` hook: not a Nest interceptor, which would cost every request
   * an rxjs chain and two `AsyncResource.bind` calls.
   */
  attach(fastify: FastifyInstance): void {
    if (this.config.USAGE_METER_FLUSH_MS <= 0) return;
    fastify.addHook('onResponse', (request: FastifyRequest, _reply: FastifyReply, done: () => void) => {
      const ctx = (request as unknown as AuthenticatedRequest).ctx;
      if (ctx) this.count(ctx.orgId, routeClassOf(request.method, request.url));
      done();
    });
  }

  count(orgId: string, routeClass: string, at = Date.now(), requests = 1): void {
    const hour = Math.floor(at / HOUR_MS) * HOUR_MS;
    let orgs = this.tallies.get(hour);
    if (!orgs) this.tallies.set(hour, (orgs = new Map()));
    let tally = orgs.get(orgId);
    if (!tally) {
      tally = { orgId, hour, firstAt: at, counts: new Map() };
      orgs.set(orgId, tally);
    }
    tally.counts.set(routeClass, (tally.counts.get(routeClass) ?? 0) + requests);
  }

  onApplicationBootstrap(): void {
    if (this.config.USAGE_METER_FLUSH_MS <= 0) return;
    this.queue = new Queue(EventQueues.analytics, {
      connection: bullConnection(this.config.REDIS_URL, {
        maxRetriesPerRequest: 1,
        enableOfflineQueue: false,
      }),
      prefix: bullPrefix(this.config.REDIS_PREFIX),
    });
    this.queue.on('error', () => undefined); // a failed flush is logged and retried
    this.timer = setInterval(() => void this.flush(), this.config.USAGE_METER_FLUSH_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
    await this.queue?.close();
  }

  /** Sends what was counted since the last flush; on failure the counts wait for the next one. */
  async flush(): Promise<number> {
    if (!this.queue || !this.tallies.size) return 0;
    const tallies = [...this.tallies.values()].flatMap((orgs) => [...orgs.values()]);
    this.tallies = new Map();
    const to = new Date().toISOString();
    const events = tallies.map((tally): EventEnvelope => {
      const payload: ApiUsageMeteredPayload = {
        from: new Date(tally.firstAt).toISOString(),
        to,
        counts: [...tally.counts].map(([routeClass, requests]) => ({ routeClass, requests })),
      };
      return sealEvent(this.keys, {
        id: randomUUID(),
        type: Events.gateway.usageMetered,
        aggregateId: tally.orgId,
        orgId: tally.orgId,
        domainId: null,
        // Inside the hour counted: the tally's first request.
        occurredAt: new Date(tally.firstAt).toISOString(),
        payload: payload as unknown as Record<string, unknown>,
      });
    });
    try {
      await this.queue.addBulk(
        events.map((event) => ({
          name: event.type,
          data: event,
          opts: { ...EVENT_JOB_OPTIONS, jobId: event.id },
        })),
      );
      return events.length;
    } catch (error) {
      this.logger.warn(`Usage meter flush failed, kept for the next one: ${(error as Error).message}`);
      for (const tally of tallies) {
        for (const [routeClass, requests] of tally.counts)
          this.count(tally.orgId, routeClass, tally.firstAt, requests);
      }
      return 0;
    }
  }
}
