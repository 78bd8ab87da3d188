import {
  CommonError,
  ControlPlaneError,
  type DomainCheckResult,
  Patterns,
  type RequestContext,
} from '@smartbeak/contracts';
import { DomainError } from '@smartbeak/errors';

/** What DomainAccess needs of an RPC client. */
export interface RpcSender {
  send<T>(pattern: string, data: unknown, timeoutMs?: number): Promise<T>;
}

const FOUND_TTL_MS = 30_000;
const MISSING_TTL_MS = 5_000;
const CAPACITY = 10_000;

/**
 * "Does domain D belong to the caller's org?" — asked of control-plane, the
 * owner of the registry, and remembered briefly (30 s; 5 s for a miss), so a
 * busy service does not ask on every request. Another org's domain and a
 * missing one are the same 404.
 */
export class DomainAccess {
  private readonly cache = new Map<string, { result: DomainCheckResult | null; until: number }>();
  /** Questions on their way: many requests for one domain at once ask once (a batch, a burst). */
  private readonly asking = new Map<string, Promise<DomainCheckResult | null>>();

  constructor(private readonly rpc: RpcSender) {}

  /** The domain a request acts on: the one it names, else the token's default. */
  async resolve(ctx: RequestContext, requested?: string | null): Promise<DomainCheckResult> {
    const domainId = requested ?? ctx.domainId;
    if (!domainId) {
      throw DomainError.validation([
        { field: 'domainId', message: 'domainId is required (or a token with a domain_id claim)' },
      ]);
    }
    const key = `${ctx.orgId}\u0000${domainId}`;
    const cached = this.cache.get(key);
    let result: DomainCheckResult | null;
    if (cached && cached.until > Date.now()) {
      result = cached.result;
    } else {
      let asked = this.asking.get(key);
      if (!asked) {
        asked = this.ask(ctx, domainId).then(
          (answer) => {
            this.asking.delete(key);
            if (this.cache.size >= CAPACITY) this.cache.delete(this.cache.keys().next().value as string);
            // A missing or suspended domain is asked again soon: a resume takes effect within seconds.
            const ttl = answer?.status === 'active' ? FOUND_TTL_MS : MISSING_TTL_MS;
            this.cache.set(key, { result: answer, until: Date.now() + ttl });
            return answer;
          },
          (error: unknown) => {
            this.asking.delete(key);
            throw error;
          },
        );
        this.asking.set(key, asked);
      }
      result = await asked;
    }
    if (!result) throw new DomainError(CommonError.NOT_FOUND, 'Domain not found');
    if (result.status !== 'active') throw DomainError.forbidden('This domain is suspended');
    return result;
  }

  private async ask(ctx: RequestContext, domainId: string): Promise<DomainCheckResult | null> {
    try {
      return await this.rpc.send<DomainCheckResult>(Patterns.controlPlane.domainCheck, {
        ctx,
        payload: { id: domainId },
      });
    } catch (error) {
      if (error instanceof DomainError && error.code === ControlPlaneError.DOMAIN_NOT_FOUND) return null;
      throw error;
    }
  }
}
