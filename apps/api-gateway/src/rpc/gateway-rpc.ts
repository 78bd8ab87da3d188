import { Injectable } from '@nestjs/common';
import { type RequestContext } from '@smartbeak/contracts';
import { RpcClient } from '@smartbeak/messaging';

/** Forwards `{ ctx, payload }` to the owning service and waits, at most the RPC timeout, for its answer. */
@Injectable()
export class GatewayRpc {
  constructor(readonly client: RpcClient) {}

  forward<T>(pattern: string, ctx: RequestContext, payload: object = {}): Promise<T> {
    return this.client.send<T>(pattern, { ctx, payload });
  }
}
