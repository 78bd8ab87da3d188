import type { JwtPayload } from '@clerk/shared/types';
import { CanActivate, createParamDecorator, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { CommonError, RequestContext } from '@smartbeak/contracts';
import { DomainError } from '@smartbeak/errors';
import { currentRequestScope } from '@smartbeak/observability';

import { contextFromClaims } from './claims';
import { requirePermissions, routeRules, type RouteRules } from './permissions';
import { cookieRequestAllowed, InvalidTokenError, tokenFromRequest, TokenVerifier } from './token-verifier';

/** What the guard needs of an HTTP request, whatever the server (Express, Fastify). */
export interface AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
  /** Set from `x-request-id` by the HTTP layer (see the gateway's request scope). */
  id?: string;
  method: string;
  url: string;
  body?: unknown;
  ip?: string;
  ctx?: RequestContext;
}

function requestIdOf(req: AuthenticatedRequest): string {
  return typeof req.id === 'string' && req.id ? req.id : String(req.headers['x-request-id'] ?? '');
}

/**
 * Every route needs a valid Clerk session token unless marked @Public();
 * @RequirePermissions(...) adds what the caller must hold (403 otherwise).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly verifier: TokenVerifier,
    private readonly reflector: Reflector,
  ) {}

  /**
   * Synchronous for a token verified before — every request a signed-in
   * browser makes after its first: Nest waits only on a guard that returns
   * a promise. A failure may be thrown or rejected; Nest takes both.
   */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const rules = routeRules(this.reflector, context);
    if (rules.public) return true;

    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = tokenFromRequest(req.headers);
    if (!token) throw new DomainError(CommonError.UNAUTHENTICATED, 'A session token is required');
    if (!cookieRequestAllowed(req.method, req.headers, this.verifier.authorizedParties)) {
      throw DomainError.forbidden(
        'A cookie-authenticated change must come from the web app (its Origin is not allowed)',
      );
    }
    const known = this.verifier.verifiedBefore(token);
    if (known) return admit(req, rules, known);
    return this.verifier.verify(token).then(
      (claims) => admit(req, rules, claims),
      (error: unknown) => {
        throw invalidToken(error);
      },
    );
  }
}

function invalidToken(error: unknown): DomainError {
  const reason = error instanceof InvalidTokenError ? error.reason : 'token-invalid';
  return new DomainError(CommonError.UNAUTHENTICATED, 'The session token is not valid', undefined, {
    reason,
  });
}

/** The caller of verified `claims` on `req` (its `ctx`, and the log scope's ids), if the route lets them in. */
function admit(req: AuthenticatedRequest, rules: RouteRules, claims: JwtPayload): true {
  let ctx: RequestContext | null;
  try {
    ctx = contextFromClaims(claims, requestIdOf(req));
  } catch (error) {
    throw invalidToken(error);
  }
  if (!ctx) throw new DomainError(CommonError.UNAUTHENTICATED, 'The session token names no organisation');
  req.ctx = ctx;
  const scope = currentRequestScope();
  if (scope) Object.assign(scope, { userId: ctx.userId, orgId: ctx.orgId });

  requirePermissions(ctx, ...rules.required);
  return true;
}

/** The verified RequestContext of an HTTP request (set by AuthGuard). */
export const CurrentContext = createParamDecorator(
  (_data: unknown, context: ExecutionContext): RequestContext => {
    const ctx = context.switchToHttp().getRequest<AuthenticatedRequest>().ctx;
    if (!ctx) throw new DomainError(CommonError.UNAUTHENTICATED, 'A session token is required');
    return ctx;
  },
);
