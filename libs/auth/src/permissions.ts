import { type CustomDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import { type Reflector } from '@nestjs/core';
import { Payload } from '@nestjs/microservices';
import {
  type Permission,
  PERMISSIONS,
  PUBLIC_ROUTE_METADATA,
  type RequestContext,
} from '@smartbeak/contracts';
import { DomainError } from '@smartbeak/errors';

export const REQUIRED_PERMISSIONS = 'smartbeak:required-permissions';
export const PUBLIC_ROUTE = PUBLIC_ROUTE_METADATA;

/** The caller needs every permission listed (checked by the gateway's AuthGuard). */
export const RequirePermissions = (...permissions: Permission[]): CustomDecorator =>
  SetMetadata(REQUIRED_PERMISSIONS, permissions);

/** No session token needed (health, webhooks with their own signature). */
export const Public = (): CustomDecorator => SetMetadata(PUBLIC_ROUTE, true);

/** What a route asks of its caller, from its decorators (the handler's win over its controller's). */
export interface RouteRules {
  public: boolean;
  required: readonly Permission[];
}

const rulesByClass = new WeakMap<object, WeakMap<object, RouteRules>>();

/**
 * The route's rules, read from its metadata once per handler and kept
 * (decorators do not change at run time): guards run on every request.
 */
export function routeRules(reflector: Reflector, context: ExecutionContext): RouteRules {
  const handler = context.getHandler();
  const cls = context.getClass();
  let byHandler = rulesByClass.get(cls);
  if (!byHandler) rulesByClass.set(cls, (byHandler = new WeakMap()));
  let rules = byHandler.get(handler);
  if (!rules) {
    const targets = [handler, cls];
    rules = {
      public: reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets) ?? false,
      required: reflector.getAllAndOverride<Permission[]>(REQUIRED_PERMISSIONS, targets) ?? [],
    };
    byHandler.set(handler, rules);
  }
  return rules;
}

/**
 * 403 unless `ctx` holds every one of `permissions`: the gateway's AuthGuard
 * checks a route's, and services call it again on what they receive (the
 * gateway is not the only line).
 */
export function requirePermissions(ctx: RequestContext, ...permissions: Permission[]): void {
  const missing = permissions.filter((permission) => !ctx.permissions.includes(permission));
  if (missing.length) throw DomainError.forbidden(`Missing permission: ${missing.join(', ')}`);
}

const isString = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= 200;

/**
 * Checks the `ctx` of an RPC envelope: a service never trusts a message's
 * shape. Unknown permissions are dropped.
 */
export function assertRequestContext(value: unknown): RequestContext {
  const ctx = value as Partial<RequestContext> | null;
  if (
    !ctx ||
    typeof ctx !== 'object' ||
    !isString(ctx.userId) ||
    !isString(ctx.orgId) ||
    !isString(ctx.requestId)
  ) {
    throw DomainError.validation([
      { field: 'ctx', message: 'a request context with userId, orgId and requestId is required' },
    ]);
  }
  if (ctx.domainId !== null && ctx.domainId !== undefined && !isString(ctx.domainId)) {
    throw DomainError.validation([{ field: 'ctx.domainId', message: 'must be a string or null' }]);
  }
  const permissions = Array.isArray(ctx.permissions)
    ? PERMISSIONS.filter((permission) => (ctx.permissions as unknown[]).includes(permission))
    : [];
  return {
    userId: ctx.userId,
    orgId: ctx.orgId,
    domainId: ctx.domainId ?? null,
    permissions,
    requestId: ctx.requestId,
    email: typeof ctx.email === 'string' ? ctx.email : null,
    name: typeof ctx.name === 'string' ? ctx.name : null,
    orgSlug: typeof ctx.orgSlug === 'string' ? ctx.orgSlug : null,
  };
}

/** The checked request context of an RPC envelope. */
export const RpcCtx = (): ParameterDecorator => Payload('ctx', { transform: assertRequestContext });
