import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestScope {
  requestId: string;
  userId?: string;
  orgId?: string;
  /**
   * The gateway-signed user context this request arrived with: a service
   * forwards it unchanged on the calls it makes for the same request.
   */
  passport?: string;
  /** The gateway: the request's Idempotency-Key, sent on with its RPC. */
  idempotencyKey?: string;
}

const storage = new AsyncLocalStorage<RequestScope>();

/** Runs `fn` with a request scope that logs and outgoing RPCs pick up. */
export function runInRequestScope<T>(scope: RequestScope, fn: () => T): T {
  return storage.run(scope, fn);
}

export function currentRequestScope(): RequestScope | undefined {
  return storage.getStore();
}
