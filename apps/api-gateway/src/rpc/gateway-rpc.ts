import { Injectable } from '@nestjs/common';
import { type RequestContext, type RpcEnvelope } from '@smartbeak/contracts';
import { type JsonText, RpcClient, serviceCallContext } from '@smartbeak/messaging';
import { currentRequestScope } from '@smartbeak/observability';

/** A user's request: on an @Idempotent route, the key goes with it (the owning service enforces it). */
function envelope(ctx: RequestContext, payload: object): RpcEnvelope<object> {
  const idempotencyKey = currentRequestScope()?.idempotencyKey;
  return { ctx, payload, ...(idempotencyKey ? { idempotencyKey } : {}) };
}

/** Forwards `{ ctx, payload }` to the owning service and waits, at most the RPC timeout, for its answer. */
@Injectable()
export class GatewayRpc {
  constructor(readonly client: RpcClient) {}

  /** On behalf of the user of `ctx` (the client mints the signed context services trust). */
  forward<T>(pattern: string, ctx: RequestContext, payload: object = {}): Promise<T> {
    return this.client.send<T>(pattern, envelope(ctx, payload));
  }

  /**
   * As `forward`, the answer kept as the JSON text the service wrote, for a
   * route that answers with it unchanged: sent as it came (bootstrap.ts's
   * reply serializer), neither parsed nor serialised again here.
   */
  forwardText<T>(pattern: string, ctx: RequestContext, payload: object = {}): Promise<JsonText<T>> {
    return this.client.sendForText<T>(pattern, envelope(ctx, payload));
  }

  /**
   * On the gateway's own behalf (a webhook it verified, a health probe): a
   * service call, accepted only for the patterns that grant it to the gateway.
   */
  asGateway<T>(pattern: string, payload: object = {}, timeoutMs?: number): Promise<T> {
    return this.client.send<T>(pattern, { ctx: serviceCallContext('system'), payload }, timeoutMs);
  }
}
