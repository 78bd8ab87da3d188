import { randomUUID } from 'node:crypto';

import { type CustomTransportStrategy, BaseRpcContext, Server } from '@nestjs/microservices';
import { CommonError, type SerializedError } from '@smartbeak/contracts';
import { isSerializedError } from '@smartbeak/errors';
import { messagesRefused, rpcServerDuration, runInRequestScope } from '@smartbeak/observability';
import { lastValueFrom } from 'rxjs';

import { type OpenedRequest, openRequest } from './envelope';
import { HEARTBEAT_MS, HEARTBEAT_TTL_MS, type RpcReply, type RpcRequest, rpcKeys } from './keys';
import { replyText } from './reply-text';
import { type MessageKeys, MessageRefused } from './signing';
import { createRedis, type RedisClient } from './redis-connection';

export interface RedisRpcServerOptions {
  redisUrl: string;
  prefix: string;
  /** The service whose request list this server drains, e.g. `control-plane`. */
  service: string;
  /** Requests one replica works on at once; the rest wait for another replica. */
  concurrency: number;
  /** How long `close()` waits for in-flight requests. */
  drainMs?: number;
  /** Checks every request's signatures before a handler sees it (see envelope.ts). */
  keys: MessageKeys;
}

export class RedisRpcContext extends BaseRpcContext<[string]> {
  getPattern(): string {
    return this.args[0];
  }
}

/**
 * A Nest transport over Redis lists. Nest's built-in Redis transport rides on
 * pub/sub: every replica of a service receives, and answers, every request —
 * a write handled twice when a service runs two replicas. Here each request
 * is an item on the service's list and exactly one replica pops it (BRPOP),
 * bounded by `concurrency`, so replicas share the load. Answers go back over
 * pub/sub to the one caller waiting for them. `@MessagePattern` handlers,
 * pipes and filters work unchanged.
 *
 * Redis is not a trust boundary: anything that reaches it could push a
 * request. So every request is signed by its sender, and its user context by
 * the gateway; one that fails a check is refused, logged and counted before
 * any handler runs (see envelope.ts).
 */
export class RedisRpcServer extends Server implements CustomTransportStrategy {
  private readonly replicaId = randomUUID();
  private blocking?: RedisClient;
  private commands?: RedisClient;
  private running = false;
  private inFlight = 0;
  private slotFreed?: () => void;
  private idle?: () => void;
  private heartbeat?: NodeJS.Timeout;
  private loop?: Promise<void>;

  constructor(private readonly options: RedisRpcServerOptions) {
    super();
    this.initializeSerializer({});
    this.initializeDeserializer({});
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      this.blocking = createRedis(this.options.redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
      // Replies finished in the same tick go to Redis in one write.
      this.commands = createRedis(this.options.redisUrl, {
        maxRetriesPerRequest: null,
        lazyConnect: true,
        enableAutoPipelining: true,
      });
      // Outages show in the readiness probe; ioredis reconnects by itself.
      for (const connection of [this.blocking, this.commands]) connection.on('error', () => undefined);
      await Promise.all([this.blocking.connect(), this.commands.connect()]);
      this.running = true;
      await this.beat();
      this.heartbeat = setInterval(
        () => void this.beat().catch((error) => this.logger.error(error)),
        HEARTBEAT_MS,
      );
      this.heartbeat.unref();
      this.loop = this.drainRequests();
      callback();
    } catch (error) {
      callback(error);
    }
  }

  async close(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearInterval(this.heartbeat);
    await this.commands
      ?.zrem(rpcKeys.replicas(this.options.prefix, this.options.service), this.replicaId)
      .catch(() => 0);
    // The loop ends when its BRPOP (1 s at most) comes back, and runs whatever that popped: cutting
    // the connection under a BRPOP would lose a request Redis had already handed over. Requests still
    // on the list are left for the other replicas.
    this.slotFreed?.();
    await this.loop?.catch(() => undefined);
    if (this.inFlight > 0) {
      await Promise.race([
        new Promise<void>((resolve) => (this.idle = resolve)),
        new Promise((resolve) => setTimeout(resolve, this.options.drainMs ?? 10_000)),
      ]);
    }
    this.blocking?.disconnect();
    this.commands?.disconnect();
  }

  on(): void {
    throw new Error('RedisRpcServer does not emit transport events');
  }

  unwrap<T>(): T {
    return this.commands as T;
  }

  private async beat(): Promise<void> {
    const key = rpcKeys.replicas(this.options.prefix, this.options.service);
    const now = Date.now();
    await this.commands!.multi()
      .zadd(key, now + HEARTBEAT_TTL_MS, this.replicaId)
      .zremrangebyscore(key, 0, now)
      .exec();
  }

  private async drainRequests(): Promise<void> {
    const key = rpcKeys.requests(this.options.prefix, this.options.service);
    while (this.running) {
      if (this.inFlight >= this.options.concurrency) {
        await new Promise<void>((resolve) => (this.slotFreed = resolve));
        continue;
      }
      // Popped requests are run even once stopping began: they are off the list, nobody else has them.
      try {
        const popped = await this.blocking!.brpop(key, 1);
        if (!popped) continue;
        this.start(popped[1]);
        // Take what else is waiting in one round trip, up to the free slots.
        const free = this.options.concurrency - this.inFlight;
        if (free > 0 && this.running) {
          const more = await this.blocking!.rpop(key, free);
          for (const raw of more ?? []) this.start(raw);
        }
      } catch (error) {
        if (!this.running) return;
        this.logger.error(`RPC request loop: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  private start(raw: string): void {
    this.inFlight++;
    void this.handle(raw)
      .catch((error) => this.logger.error(`RPC handling failed: ${(error as Error).stack ?? error}`))
      .finally(() => {
        this.inFlight--;
        this.slotFreed?.();
        this.slotFreed = undefined;
        if (this.inFlight === 0) this.idle?.();
      });
  }

  private async handle(raw: string): Promise<void> {
    let request: RpcRequest;
    try {
      request = JSON.parse(raw) as RpcRequest;
      if (!request || typeof request !== 'object') throw new Error('not an object');
    } catch {
      messagesRefused.inc({ kind: 'rpc', reason: 'malformed' });
      this.logger.warn('Dropped an RPC request that is not a JSON object');
      return;
    }
    if (request.deadline < Date.now()) {
      // The caller has already answered its client with a timeout.
      rpcServerDuration.observe({ pattern: String(request.pattern), outcome: 'expired' }, 0);
      return;
    }
    let opened: OpenedRequest;
    try {
      opened = openRequest(this.options.keys, request);
    } catch (error) {
      if (!(error instanceof MessageRefused)) throw error;
      this.logger.warn(
        `Refused an RPC request for ${String(request.pattern)} from ${String(request.seal?.signer ?? 'nobody')}: ${error.message}`,
      );
      if (typeof request.replyTo === 'string' && typeof request.id === 'string') {
        const err: SerializedError = { code: CommonError.INTERNAL, message: 'The request was refused' };
        await this.commands!.publish(request.replyTo, JSON.stringify({ id: request.id, err }));
      }
      return;
    }
    const started = process.hrtime.bigint();
    const reply = await this.answer(request, opened);
    const outcome = reply.err === undefined ? 'ok' : 'error';
    rpcServerDuration.observe(
      { pattern: request.pattern, outcome },
      Number(process.hrtime.bigint() - started) / 1e9,
    );
    if (request.replyTo) {
      await this.commands!.publish(request.replyTo, replyText(reply));
    }
  }

  private async answer(request: RpcRequest, opened: OpenedRequest): Promise<RpcReply> {
    const handler = this.getHandlerByPattern(request.pattern);
    if (!handler) {
      const err: SerializedError = {
        code: CommonError.INTERNAL,
        message: `No handler for ${request.pattern}`,
      };
      return { id: request.id, err };
    }
    const { ctx } = opened.data;
    const scope = {
      requestId: typeof ctx?.requestId === 'string' && ctx.requestId ? ctx.requestId : request.id,
      userId: typeof ctx?.userId === 'string' ? ctx.userId : undefined,
      orgId: typeof ctx?.orgId === 'string' ? ctx.orgId : undefined,
      passport: opened.passport,
    };
    return runInRequestScope(scope, async () => {
      try {
        const result$ = this.transformToObservable(
          await handler(opened.data, new RedisRpcContext([request.pattern])),
        );
        const response = await lastValueFrom(result$, { defaultValue: null });
        return { id: request.id, response };
      } catch (error) {
        // RpcErrorFilter turns every thrown error into a SerializedError.
        const err: SerializedError = isSerializedError(error)
          ? error
          : { code: CommonError.INTERNAL, message: 'Internal error' };
        return { id: request.id, err };
      }
    });
  }
}
