import { __experimental_JWTPayloadToAuthObjectProperties as parseClerkClaims } from '@clerk/shared/jwtPayloadParser';
import type { JwtPayload } from '@clerk/shared/types';
import { isPermission, type Permission, PERMISSIONS, type RequestContext } from '@smartbeak/contracts';

/** Clerk's own admin role: it may do everything in its org. */
export const CLERK_ADMIN_ROLE = 'org:admin';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function stringClaim(claims: Record<string, unknown>, name: string): string | null {
  const value = claims[name];
  return typeof value === 'string' && value.length > 0 ? value : null;
}

/**
 * Claims → RequestContext. The org comes from a custom `org_id` claim or
 * Clerk's organisation claims (v1 `org_*` or v2 `o`); permissions from a
 * custom `permissions` claim and from Clerk's org permissions
 * (`org:content:write` → `content:write`); Clerk's `org:admin` role grants all.
 * Returns null when the token names no org: nothing here is org-less.
 */
export function contextFromClaims(claims: JwtPayload, requestId: string): RequestContext | null {
  const raw = claims as unknown as Record<string, unknown>;
  const clerk = parseClerkClaims(claims);
  const orgId = stringClaim(raw, 'org_id') ?? clerk.orgId ?? null;
  if (!clerk.userId || !orgId) return null;

  const granted = new Set<Permission>();
  const custom = raw['permissions'];
  if (Array.isArray(custom)) {
    for (const value of custom) if (typeof value === 'string' && isPermission(value)) granted.add(value);
  }
  for (const value of clerk.orgPermissions ?? []) {
    const unprefixed = value.startsWith('org:') ? value.slice(4) : value;
    if (isPermission(unprefixed)) granted.add(unprefixed);
    if (isPermission(value)) granted.add(value);
  }
  if (clerk.orgRole === CLERK_ADMIN_ROLE) PERMISSIONS.forEach((permission) => granted.add(permission));

  const domainId = stringClaim(raw, 'domain_id');
  return {
    userId: clerk.userId,
    orgId,
    domainId: domainId && UUID.test(domainId) ? domainId : null,
    permissions: PERMISSIONS.filter((permission) => granted.has(permission)),
    requestId,
    email: stringClaim(raw, 'email'),
    name: stringClaim(raw, 'name'),
    orgSlug: clerk.orgSlug ?? null,
  };
}
