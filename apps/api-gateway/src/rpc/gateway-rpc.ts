import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { RequestContext } from '@smartbeak/contracts';
import { RpcClient } from '@smartbeak/messaging';

import { GatewayConfig } from '../config/gateway.config';
import { GATEWAY_CONFIG } from '../gateway.tokens';

/** Forwards `{ ctx, payload }` to the owning service and waits, at most the RPC timeout, for its answer. */
@Injectable()
export class GatewayRpc implements OnModuleInit, OnApplicationShutdown {
  readonly client: RpcClient;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    this.client = new RpcClient({
      redisUrl: config.REDIS_URL,
      prefix: config.REDIS_PREFIX,
      timeoutMs: config.RPC_TIMEOUT_MS,
    });
  }

  onModuleInit(): Promise<void> {
    return this.client.connect();
  }

  onApplicationShutdown(): Promise<void> {
    return this.client.close();
  }

  forward<T>(pattern: string, ctx: RequestContext, payload: object = {}): Promise<T> {
    return this.client.send<T>(pattern, { ctx, payload });
  }
}
