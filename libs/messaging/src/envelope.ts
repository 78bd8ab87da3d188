import {
  GATEWAY_NAME,
  type RequestContext,
  serviceCallGrant,
  serviceOfPattern,
  type RpcEnvelope,
} from '@smartbeak/contracts';
import { currentRequestScope } from '@smartbeak/observability';

import { type RpcRequest } from './keys';
import { digest, type MessageKeys, refuse } from './signing';

/** A user context lives this long after the gateway minted it. */
export const PASSPORT_TTL_MS = 60_000;
/** Clocks of two pods may differ by this much. */
const CLOCK_SKEW_MS = 5_000;

const RPC_PURPOSE = 'smartbeak.rpc.v1';
const PASSPORT_PURPOSE = 'smartbeak.passport.v1';

const SERVICE_CALL = Symbol('smartbeak.service-call');

/**
 * The context of a call a process makes on its own behalf, for one org (a
 * scheduled publish, a webhook): sent as a service call, which the receiver
 * accepts only where `serviceCallGrant` lists the sender.
 */
export function serviceCallContext(orgId: string): RequestContext {
  const ctx: RequestContext = {
    userId: 'service',
    orgId,
    domainId: null,
    permissions: [],
    requestId: currentRequestScope()?.requestId ?? '',
  };
  Object.defineProperty(ctx, SERVICE_CALL, { value: true });
  return ctx;
}

/** What the signed body of a request holds. */
interface RequestBody {
  /** A gateway-signed user identity (passport). */
  ctx?: string;
  /** With `ctx`: the request it is for. */
  rid?: string;
  /** Or: a service call for this org. */
  as?: { orgId: string; requestId: string };
  payload: unknown;
  /** The client's Idempotency-Key (creating requests). */
  idem?: string;
}

/** Who the user is, as the gateway vouches for it: the context without the request id. */
type Identity = Omit<RequestContext, 'requestId'>;

/** A minted passport is reused while it has at least this long to live. */
const REUSE_MIN_LEFT_MS = 30_000;
const CACHE_CAPACITY = 10_000;

function remember<V>(cache: Map<string, V>, key: string, value: V): void {
  if (cache.size >= CACHE_CAPACITY) cache.delete(cache.keys().next().value as string);
  cache.set(key, value);
}

/** Per key set: a passport checked against one process's trusted keys says nothing to another's. */
function cacheOf<V>(caches: WeakMap<MessageKeys, Map<string, V>>, keys: MessageKeys): Map<string, V> {
  let cache = caches.get(keys);
  if (!cache) caches.set(keys, (cache = new Map()));
  return cache;
}
const mintedBy = new WeakMap<MessageKeys, Map<string, { token: string; exp: number }>>();
const openedBy = new WeakMap<MessageKeys, Map<string, { identity: Identity; exp: number }>>();

/**
 * The gateway-signed form of a user's identity: `<base64url JSON>.<kid>.<base64url signature>`.
 * Only the gateway holds the key that makes one; it expires within a minute.
 * It says who, not which request (the request id travels in the signed
 * envelope), so one passport serves a user's requests for half a minute:
 * one signature less per request at the gateway, one check less per service.
 */
export function mintPassport(keys: MessageKeys, ctx: RequestContext, now = Date.now()): string {
  if (keys.signer !== GATEWAY_NAME) throw new Error('Only the gateway mints user contexts');
  const { requestId: _requestId, ...identity } = ctx;
  const key = JSON.stringify(identity);
  const minted = cacheOf(mintedBy, keys);
  const cached = minted.get(key);
  if (cached && cached.exp - now >= REUSE_MIN_LEFT_MS && cached.exp <= now + PASSPORT_TTL_MS)
    return cached.token;
  const exp = now + PASSPORT_TTL_MS;
  const body = Buffer.from(JSON.stringify({ ctx: identity, exp })).toString('base64url');
  const seal = keys.seal(PASSPORT_PURPOSE, body);
  const token = `${body}.${seal.kid}.${Buffer.from(seal.sig, 'base64').toString('base64url')}`;
  remember(minted, key, { token, exp });
  return token;
}

function openPassport(keys: MessageKeys, token: unknown, now: number): Identity {
  if (typeof token !== 'string') refuse('rpc', 'context-missing', 'no user context');
  const opened = cacheOf(openedBy, keys);
  let passport = opened.get(token);
  if (!passport) {
    const parts = token.split('.');
    if (parts.length !== 3) refuse('rpc', 'context-missing', 'no user context');
    const [body, kid, sig] = parts as [string, string, string];
    if (!keys.knows(GATEWAY_NAME, kid)) refuse('rpc', 'context-not-from-gateway', `no gateway key ${kid}`);
    const outcome = keys.verify(
      GATEWAY_NAME,
      kid,
      PASSPORT_PURPOSE,
      body,
      Buffer.from(sig, 'base64url').toString('base64'),
    );
    if (outcome !== 'ok')
      refuse('rpc', 'context-bad-signature', 'the user context is not signed by the gateway');
    const parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as {
      ctx: Identity;
      exp: number;
    };
    passport = { identity: parsed.ctx, exp: parsed.exp };
    // Remembered once checked: the same string is the same signature (a key removed from the
    // trusted list stops new passports at once; those already seen live out their minute).
    remember(opened, token, passport);
  }
  if (!(passport.exp > now - CLOCK_SKEW_MS) || passport.exp > now + PASSPORT_TTL_MS + CLOCK_SKEW_MS) {
    refuse('rpc', 'context-expired', 'the user context has expired');
  }
  return passport.identity;
}

function signedBytes(request: Omit<RpcRequest, 'seal'>): string {
  return [request.id, request.pattern, request.deadline, request.replyTo ?? '', digest(request.body)].join(
    '\n',
  );
}

/**
 * Signs a request. A user context is forwarded as the passport it arrived
 * with (same request), minted if this is the gateway, and otherwise refused:
 * a service cannot speak for a user it has not heard from.
 */
export function sealRequest(
  keys: MessageKeys,
  request: Omit<RpcRequest, 'body' | 'seal'>,
  { ctx, payload, idempotencyKey }: RpcEnvelope<unknown>,
): RpcRequest {
  const body: RequestBody = { payload: payload ?? {} };
  if (typeof idempotencyKey === 'string') body.idem = idempotencyKey;
  if (!ctx) {
    throw new Error(`RPC ${request.pattern}: a request context is required`);
  } else if ((ctx as unknown as Record<symbol, unknown>)[SERVICE_CALL]) {
    body.as = { orgId: ctx.orgId, requestId: ctx.requestId || request.id };
  } else {
    const scope = currentRequestScope();
    if (scope?.passport && scope.userId === ctx.userId && scope.orgId === ctx.orgId) {
      body.ctx = scope.passport;
      body.rid = ctx.requestId;
    } else if (keys.signer === GATEWAY_NAME) {
      body.ctx = mintPassport(keys, ctx);
      body.rid = ctx.requestId;
    } else {
      throw new Error(`RPC ${request.pattern}: ${keys.signer} cannot speak for a user it has not heard from`);
    }
  }
  return signRequest(keys, { ...request, body: JSON.stringify(body) });
}

/**
 * Seals a request whose body is written: id, pattern, deadline, reply
 * channel and the body's digest, for the service the pattern names (a pair
 * MAC where it can be, see `MessageKeys.sealFor`).
 */
export function signRequest(keys: MessageKeys, unsealed: Omit<RpcRequest, 'seal'>): RpcRequest {
  return {
    ...unsealed,
    seal: keys.sealFor(serviceOfPattern(unsealed.pattern), RPC_PURPOSE, signedBytes(unsealed)),
  };
}

function idem(body: RequestBody): { idempotencyKey?: string } {
  return typeof body.idem === 'string' && body.idem.length <= 255 ? { idempotencyKey: body.idem } : {};
}

export interface OpenedRequest {
  /** What handlers see: the checked context and the payload. */
  data: RpcEnvelope<unknown>;
  signer: string;
  /** The passport to forward on calls made for this request. */
  passport?: string;
}

/**
 * Checks a request before any handler runs: signed by a known key, over
 * this pattern, deadline, reply channel and body; its user context signed
 * by the gateway and fresh, or a service call granted to its signer.
 * Throws MessageRefused (counted) otherwise.
 */
export function openRequest(keys: MessageKeys, request: RpcRequest, now = Date.now()): OpenedRequest {
  if (!request.seal) refuse('rpc', 'unsigned', 'the request carries no signature');
  if (
    typeof request.body !== 'string' ||
    typeof request.pattern !== 'string' ||
    typeof request.id !== 'string'
  ) {
    refuse('rpc', 'malformed', 'not a SmartBeak request');
  }
  const { signer } = keys.check('rpc', RPC_PURPOSE, signedBytes(request), request.seal);
  let body: RequestBody;
  try {
    body = JSON.parse(request.body) as RequestBody;
  } catch {
    refuse('rpc', 'malformed', 'the body is not JSON');
  }
  const grant = serviceCallGrant(request.pattern);
  if (body.as) {
    if (!grant?.callers.includes(signer)) {
      refuse('rpc', 'not-granted', `${signer} may not call ${request.pattern} on its own behalf`);
    }
    const ctx: RequestContext = {
      userId: `service:${signer}`,
      orgId: String(body.as.orgId),
      domainId: null,
      permissions: [...grant.permissions],
      requestId: String(body.as.requestId),
    };
    return { data: { ctx, payload: body.payload, ...idem(body) }, signer };
  }
  if (grant?.serviceOnly) refuse('rpc', 'not-granted', `${request.pattern} takes service calls only`);
  const ctx: RequestContext = {
    ...openPassport(keys, body.ctx, now),
    requestId: typeof body.rid === 'string' && body.rid ? body.rid.slice(0, 128) : request.id,
  };
  return { data: { ctx, payload: body.payload, ...idem(body) }, signer, passport: body.ctx };
}
