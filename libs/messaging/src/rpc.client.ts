import { randomUUID } from 'node:crypto';

import { CommonError, type RpcEnvelope, serviceOfPattern } from '@smartbeak/contracts';
import { DomainError, isSerializedError } from '@smartbeak/errors';
import { rpcClientDuration } from '@smartbeak/observability';
import type { FactoryProvider } from '@nestjs/common';

import { sealRequest } from './envelope';
import { answerOf, JsonText } from './reply-text';
import { type RpcReply, rpcKeys } from './keys';
import { MessageKeys } from './signing';
import { createRedis, type RedisClient } from './redis-connection';

export interface RpcClientOptions {
  redisUrl: string;
  prefix: string;
  /** Default time to wait for an answer. */
  timeoutMs: number;
  /** Signs every request as this process (see envelope.ts). */
  keys: MessageKeys;
}

interface Pending {
  /** The answer as its JSON text (a JsonText), not parsed. */
  asText: boolean;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  timer: NodeJS.Timeout;
}

/** A Nest provider of a connected RpcClient signing with the module's MessageKeys, closed with the application. */
export function rpcClientProvider(options: Omit<RpcClientOptions, 'keys'>): FactoryProvider<RpcClient> {
  return {
    provide: RpcClient,
    inject: [MessageKeys],
    useFactory: async (keys: MessageKeys) => {
      const client = new RpcClient({ ...options, keys });
      await client.connect();
      return client;
    },
  };
}

/**
 * Sends requests to services over the Redis list transport (see
 * RedisRpcServer) and waits for their answer on its own reply channel.
 * A service with no live replica answers SERVICE_UNAVAILABLE at once; one
 * that does not answer in time, SERVICE_TIMEOUT (or UNAVAILABLE if its
 * replicas vanished meanwhile). One client serves any number of services.
 */
export class RpcClient {
  private readonly clientId = randomUUID();
  private readonly replyChannel: string;
  private readonly pending = new Map<string, Pending>();
  private readonly liveness = new Map<string, { alive: boolean; checkedAt: number }>();
  private commands?: RedisClient;
  private subscriber?: RedisClient;

  constructor(private readonly options: RpcClientOptions) {
    this.replyChannel = rpcKeys.replies(options.prefix, this.clientId);
  }

  async connect(): Promise<void> {
    this.commands = createRedis(this.options.redisUrl, {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      lazyConnect: true,
      // Requests sent in the same tick go to Redis in one write (many callers at once: one syscall).
      enableAutoPipelining: true,
    });
    this.subscriber = createRedis(this.options.redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
    // Outages show in the readiness probe; ioredis reconnects by itself.
    for (const connection of [this.commands, this.subscriber]) connection.on('error', () => undefined);
    await Promise.all([this.commands.connect(), this.subscriber.connect()]);
    this.subscriber.on('message', (_channel: string, message: string) => this.settle(message));
    await this.subscriber.subscribe(this.replyChannel);
  }

  /** Nest calls this when the client is a provider. */
  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  async close(): Promise<void> {
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(new DomainError(CommonError.SERVICE_UNAVAILABLE, 'The caller is shutting down'));
      this.pending.delete(id);
    }
    this.subscriber?.disconnect();
    this.commands?.disconnect();
  }

  /**
   * Sends `{ ctx, payload }` to the service named by the pattern's first
   * segment and resolves with its answer. The request is signed; `ctx` goes
   * as the user's gateway-signed context (forwarded, or minted by the
   * gateway) or, from `serviceCallContext`, as a service call.
   */
  send<T>(pattern: string, data: RpcEnvelope<unknown>, timeoutMs = this.options.timeoutMs): Promise<T> {
    return this.call<T>(pattern, data, timeoutMs, false);
  }

  /**
   * As `send`, the answer kept as the JSON text the service wrote: for a
   * caller that passes it on as it is (the gateway's reads), not parsed here.
   */
  sendForText<T>(
    pattern: string,
    data: RpcEnvelope<unknown>,
    timeoutMs = this.options.timeoutMs,
  ): Promise<JsonText<T>> {
    return this.call<JsonText<T>>(pattern, data, timeoutMs, true);
  }

  private async call<T>(
    pattern: string,
    data: RpcEnvelope<unknown>,
    timeoutMs: number,
    asText: boolean,
  ): Promise<T> {
    const service = serviceOfPattern(pattern);
    const started = process.hrtime.bigint();
    const outcome = (label: string) =>
      rpcClientDuration.observe({ pattern, outcome: label }, Number(process.hrtime.bigint() - started) / 1e9);

    if (!(await this.isAlive(service, true))) {
      outcome('unavailable');
      throw this.unavailable(service);
    }
    const id = randomUUID();
    const request = sealRequest(
      this.options.keys,
      { id, pattern, replyTo: this.replyChannel, deadline: Date.now() + timeoutMs },
      data,
    );
    const answer = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        void this.isAlive(service, false).then((alive) =>
          reject(
            alive
              ? new DomainError(
                  CommonError.SERVICE_TIMEOUT,
                  `${service} did not answer within ${timeoutMs} ms`,
                )
              : this.unavailable(service),
          ),
        );
      }, timeoutMs);
      this.pending.set(id, { asText, resolve, reject, timer });
    });
    // The reply may come in (and reject) before the push below is acknowledged, while
    // nothing awaits `answer` yet: mark it handled so Node does not call it unhandled.
    answer.catch(() => undefined);
    try {
      await this.commands!.lpush(rpcKeys.requests(this.options.prefix, service), JSON.stringify(request));
    } catch (error) {
      const pending = this.pending.get(id);
      if (pending) clearTimeout(pending.timer);
      this.pending.delete(id);
      outcome('unavailable');
      throw new DomainError(
        CommonError.SERVICE_UNAVAILABLE,
        `Message bus unreachable: ${(error as Error).message}`,
      );
    }
    try {
      const result = (await answer) as T;
      outcome('ok');
      return result;
    } catch (error) {
      outcome(error instanceof DomainError ? error.code : 'error');
      throw error;
    }
  }

  /** Whether at least one replica of `service` has announced itself recently. */
  async isAlive(service: string, useCache: boolean): Promise<boolean> {
    const cached = this.liveness.get(service);
    const now = Date.now();
    // A positive answer is trusted for a second; a negative one is re-checked
    // each time, so a restarted service is reached on the very next request.
    if (useCache && cached?.alive && now - cached.checkedAt < 1_000) return true;
    try {
      const count = await this.commands!.zcount(rpcKeys.replicas(this.options.prefix, service), now, '+inf');
      this.liveness.set(service, { alive: count > 0, checkedAt: now });
      return count > 0;
    } catch {
      return false;
    }
  }

  private unavailable(service: string): DomainError {
    return new DomainError(CommonError.SERVICE_UNAVAILABLE, `${service} is not available`, undefined, {
      service,
    });
  }

  /** The call waiting for `id`, no longer waiting; undefined once it gave up. */
  private take(id: string): Pending | undefined {
    const pending = this.pending.get(id);
    if (pending) {
      clearTimeout(pending.timer);
      this.pending.delete(id);
    }
    return pending;
  }

  private settle(message: string): void {
    const answer = answerOf(message);
    if (answer) {
      const pending = this.take(answer.id);
      if (!pending) return; // answered after we gave up
      try {
        pending.resolve(pending.asText ? new JsonText(answer.text) : JSON.parse(answer.text));
      } catch {
        pending.reject(new DomainError(CommonError.INTERNAL, 'The service answered with malformed JSON'));
      }
      return;
    }
    let reply: RpcReply;
    try {
      reply = JSON.parse(message) as RpcReply;
    } catch {
      return;
    }
    const pending = this.take(reply.id);
    if (!pending) return; // answered after we gave up
    if (reply.err === undefined) {
      pending.resolve(reply.response);
    } else if (isSerializedError(reply.err)) {
      pending.reject(DomainError.fromJSON(reply.err));
    } else {
      pending.reject(new DomainError(CommonError.INTERNAL, 'The service failed'));
    }
  }
}
