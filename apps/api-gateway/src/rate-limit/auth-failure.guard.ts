import { type ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard, type AuthenticatedRequest, routeRules, TokenVerifier } from '@smartbeak/auth';
import { CommonError } from '@smartbeak/contracts';
import { DomainError } from '@smartbeak/errors';

import { GatewayConfig } from '../config/gateway.config';
import { GATEWAY_CONFIG, GATEWAY_REDIS } from '../gateway.tokens';
import { type RedisClient } from '@smartbeak/messaging';

const WINDOW_MS = 60_000;
/** An address found not blocked is not asked about again for this long (unless it fails here). */
const CLEAR_FOR_MS = 1_000;
const CLEAR_CAPACITY = 10_000;

/**
 * AuthGuard behind a per-address limit on failed authentications
 * (AUTH_FAILURE_LIMIT_PER_MINUTE): an address past it is answered 429 with
 * Retry-After before its token is even looked at, so guessing tokens, or a
 * flood of bad ones, costs us a Redis read. Counted in Redis, so every
 * gateway replica sees the same count; if Redis fails, requests pass (the
 * limiter's outage is not the API's). An address found clear is trusted for
 * a second without asking Redis again (a failure here forgets that at once),
 * so a busy, honest client costs one Redis read a second, not one a request.
 */
@Injectable()
export class RateLimitedAuthGuard extends AuthGuard {
  private readonly logger = new Logger('AuthFailureLimit');
  private readonly limit: number;
  private readonly clearUntil = new Map<string, number>();

  constructor(
    verifier: TokenVerifier,
    private readonly routes: Reflector,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(GATEWAY_REDIS) private readonly redis: RedisClient,
  ) {
    super(verifier, routes);
    this.limit = config.AUTH_FAILURE_LIMIT_PER_MINUTE;
  }

  /** Synchronous, as AuthGuard's, for a known token from an address found clear within the last second. */
  override canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (this.limit === 0 || routeRules(this.routes, context).public) {
      return super.canActivate(context);
    }
    const address = addressOf(context);
    if ((this.clearUntil.get(address) ?? 0) > Date.now()) return this.authenticate(context, address);
    return this.screen(address).then(() => this.authenticate(context, address));
  }

  /** Refuses an address past the limit (429), or notes it clear for CLEAR_FOR_MS. */
  private async screen(address: string): Promise<void> {
    const blockedFor = await this.blockedFor(this.keyOf(address));
    if (blockedFor > 0) {
      throw new DomainError(
        CommonError.RATE_LIMITED,
        'Too many failed authentications from this address: retry after the time in Retry-After',
        undefined,
        { retryAfter: blockedFor },
      );
    }
    this.clearUntil.delete(address);
    if (this.clearUntil.size >= CLEAR_CAPACITY) {
      this.clearUntil.delete(this.clearUntil.keys().next().value as string);
    }
    this.clearUntil.set(address, Date.now() + CLEAR_FOR_MS);
  }

  /** AuthGuard's answer; a failed authentication is counted against the address before it is thrown. */
  private authenticate(context: ExecutionContext, address: string): boolean | Promise<boolean> {
    const counted = async (error: unknown): Promise<never> => {
      if (error instanceof DomainError && error.code === CommonError.UNAUTHENTICATED) {
        this.clearUntil.delete(address);
        await this.failed(this.keyOf(address));
      }
      throw error;
    };
    try {
      const admitted = super.canActivate(context);
      return typeof admitted === 'boolean' ? admitted : admitted.catch(counted);
    } catch (error) {
      return counted(error);
    }
  }

  private keyOf(address: string): string {
    return `${this.config.REDIS_PREFIX}:ratelimit:auth-failures:${address}`;
  }

  /** Seconds until the address may try again; 0 when it may now. */
  private async blockedFor(key: string): Promise<number> {
    try {
      const [count, ttl] = await Promise.all([this.redis.get(key), this.redis.pttl(key)]);
      return Number(count ?? 0) >= this.limit && ttl > 0 ? Math.ceil(ttl / 1000) : 0;
    } catch (error) {
      this.logger.warn(`auth failure limiter unavailable: ${(error as Error).message}`);
      return 0;
    }
  }

  private async failed(key: string): Promise<void> {
    await this.redis
      .multi()
      .incr(key)
      .pexpire(key, WINDOW_MS, 'NX')
      .exec()
      .catch((error: Error) => this.logger.warn(`auth failure limiter unavailable: ${error.message}`));
  }
}

function addressOf(context: ExecutionContext): string {
  return String(context.switchToHttp().getRequest<AuthenticatedRequest>().ip ?? 'unknown');
}
