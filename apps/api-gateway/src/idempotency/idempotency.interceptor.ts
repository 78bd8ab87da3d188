import { createHash } from 'node:crypto';

import {
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  type NestInterceptor,
  SetMetadata,
  UseInterceptors,
  applyDecorators,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type AuthenticatedRequest } from '@smartbeak/auth';
import { CommonError } from '@smartbeak/contracts';
import { DomainError } from '@smartbeak/errors';
import { currentRequestScope } from '@smartbeak/observability';
import type { FastifyReply } from 'fastify';
import { from, type Observable, of, switchMap, tap, catchError, throwError } from 'rxjs';

import { GatewayConfig } from '../config/gateway.config';
import { GATEWAY_CONFIG, GATEWAY_REDIS } from '../gateway.tokens';
import { type RedisClient } from '@smartbeak/messaging';

const IDEMPOTENT = 'smartbeak:idempotent';
const TTL_MS = 24 * 60 * 60 * 1000;
const KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * The route creates something: an `Idempotency-Key` makes a retry return the
 * first result. Applied per route, not globally: any interceptor on a route
 * costs an AsyncResource.bind per request in Nest (profiled: ~8 % of the
 * gateway's CPU when it was global).
 */
export const Idempotent = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(IDEMPOTENT, true), UseInterceptors(IdempotencyInterceptor));

interface Record_ {
  state: 'pending' | 'done';
  fingerprint: string;
  status?: number;
  body?: unknown;
}

/**
 * `Idempotency-Key` on creating writes (docs/api.md): the first request with a key
 * runs and its 2xx answer is kept for 24 h; the same key and body again gets
 * that answer (`Idempotent-Replayed: true`) instead of creating twice; the
 * same key with another body is a 422; a retry while the first is still
 * running is a 409. A failed first attempt frees the key here for a retry —
 * also one whose outcome is unknown (a 504): the key travels with the request
 * and the owning service holds it in its database (libs/runtime
 * IdempotencyKeys), so the retry gets the first answer there, never a second
 * write. Keys are scoped to the caller (org and user) and the route.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    @Inject(GATEWAY_REDIS) private readonly redis: RedisClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!this.reflector.get<boolean>(IDEMPOTENT, context.getHandler())) return next.handle();
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const res = context.switchToHttp().getResponse<FastifyReply>();
    const given = req.headers['idempotency-key'];
    if (given === undefined) return next.handle();
    if (typeof given !== 'string' || !KEY.test(given)) {
      throw DomainError.validation([
        { field: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters' },
      ]);
    }
    const requestScope = currentRequestScope();
    if (requestScope) requestScope.idempotencyKey = given;
    const scope = req.ctx ? `${req.ctx.orgId}:${req.ctx.userId}` : 'anonymous';
    const key = `${this.config.REDIS_PREFIX}:idem:${scope}:${req.method}:${req.url.split('?')[0]}:${given}`;
    const fingerprint = createHash('sha256')
      .update(JSON.stringify(req.body ?? null))
      .digest('base64url');

    return from(this.claim(key, fingerprint)).pipe(
      switchMap((existing) => {
        if (!existing) {
          return next.handle().pipe(
            tap((body) => void this.store(key, { state: 'done', fingerprint, status: res.statusCode, body })),
            catchError((error: unknown) =>
              from(this.redis.del(key).catch(() => 0)).pipe(switchMap(() => throwError(() => error))),
            ),
          );
        }
        if (existing.fingerprint !== fingerprint) {
          throw new DomainError(
            CommonError.RULE_VIOLATION,
            'This Idempotency-Key was used with a different request body',
          );
        }
        if (existing.state === 'pending') {
          throw new DomainError(
            CommonError.CONFLICT,
            'A request with this Idempotency-Key is still in progress; retry shortly',
          );
        }
        res.status(existing.status ?? 200);
        res.header('Idempotent-Replayed', 'true');
        return of(existing.body);
      }),
    );
  }

  /** Claims the key for this request; returns what is stored if someone else did first. */
  private async claim(key: string, fingerprint: string): Promise<Record_ | null> {
    try {
      const pending: Record_ = { state: 'pending', fingerprint };
      const claimed = await this.redis.set(key, JSON.stringify(pending), 'PX', TTL_MS, 'NX');
      if (claimed === 'OK') return null;
      const stored = await this.redis.get(key);
      return stored ? (JSON.parse(stored) as Record_) : null;
    } catch (error) {
      throw new DomainError(
        CommonError.SERVICE_UNAVAILABLE,
        `Idempotency store unavailable: ${(error as Error).message}`,
      );
    }
  }

  private async store(key: string, record: Record_): Promise<void> {
    await this.redis.set(key, JSON.stringify(record), 'PX', TTL_MS).catch(() => undefined);
  }
}
