/** Every permission the platform knows. Tokens may carry others; they are ignored. */
export const PERMISSIONS = [
  'content:read',
  'content:write',
  'content:review',
  'content:publish',
  'media:write',
  'publishing:write',
  'analytics:read',
  'seo:read',
  'seo:write',
  'org:admin',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

export function isPermission(value: string): value is Permission {
  return (PERMISSIONS as readonly string[]).includes(value);
}

/**
 * Who is asking, for which org and (optionally) which domain. Built by the
 * gateway from a verified token and sent with every RPC; services re-check it.
 */
export interface RequestContext {
  userId: string;
  orgId: string;
  /** The token's default domain, if it names one. */
  domainId: string | null;
  permissions: Permission[];
  requestId: string;
  /** Optional profile claims (email, name) used for just-in-time user creation. */
  email?: string | null;
  name?: string | null;
  orgSlug?: string | null;
}

/** Route metadata: no session token needed (set by @Public(), health and metrics). */
export const PUBLIC_ROUTE_METADATA = 'smartbeak:public-route';

/** The one message shape on every RPC: who asks, and what. */
export interface RpcEnvelope<T = unknown> {
  ctx: RequestContext;
  payload: T;
  /** The client's Idempotency-Key on a creating request: the owning service enforces it. */
  idempotencyKey?: string;
}
