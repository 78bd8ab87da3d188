import { verifyToken } from '@clerk/backend';
import type { TokenVerificationError } from '@clerk/backend/errors';
import type { JwtPayload } from '@clerk/shared/types';
import { DomainError } from '@smartbeak/errors';

export interface TokenVerifierOptions {
  /** PEM public key: verification without any network call. */
  jwtKey?: string;
  /** Clerk secret key: verification through Clerk's JWKS. */
  secretKey?: string;
  /** Clerk's Backend API, for the JWKS (tests point it at a local server). */
  apiUrl?: string;
  /** `azp` values accepted; empty accepts any. */
  authorizedParties: string[];
  /** When set, `iss` must be exactly this (the Clerk instance's Frontend API URL). */
  issuer?: string;
  clockSkewMs?: number;
}

export class InvalidTokenError extends Error {
  constructor(readonly reason: string) {
    super(`Invalid session token: ${reason}`);
    this.name = 'InvalidTokenError';
  }
}

const CACHE_CAPACITY = 10_000;
/** An unknown `kid` is not looked up in Clerk's JWKS again for this long. */
const UNKNOWN_KID_TTL_MS = 5 * 60_000;
/** At most one JWKS lookup for a never-seen `kid` per this interval, whatever the kids. */
const UNKNOWN_KID_LOOKUP_EVERY_MS = 10_000;
const KID_CACHE_CAPACITY = 1_000;

/** The `kid` of a JWT's header, if it has one (nothing verified yet). */
function kidOf(token: string): string | undefined {
  try {
    const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as {
      kid?: unknown;
    };
    return typeof header.kid === 'string' && header.kid.length <= 200 ? header.kid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Verifies Clerk session tokens: signature, algorithm, exp/nbf, azp, and
 * the issuer when one is configured.
 *
 * A verified token is remembered until it expires: a browser sends the same
 * short-lived session token with every request, and an RS256 verification
 * costs ~0.2 ms of CPU — the largest single cost of a gateway request. The
 * cache changes nothing about what is accepted: the signature of a given
 * token string never changes, and exp/nbf are checked again on every use.
 */
export class TokenVerifier {
  private readonly verified = new Map<string, JwtPayload>();
  /** Key ids that verified a token: never throttled. */
  private readonly knownKids = new Set<string>();
  /** Key ids Clerk's JWKS did not have, until when we believe it. */
  private readonly unknownKids = new Map<string, number>();
  private lastUnknownLookup = 0;

  constructor(private readonly options: TokenVerifierOptions) {
    if (!options.jwtKey && !options.secretKey) {
      throw new Error('Set CLERK_JWT_KEY (PEM public key) or CLERK_SECRET_KEY to verify session tokens');
    }
  }

  /** The web app origins accepted in `azp` (empty: any). */
  get authorizedParties(): readonly string[] {
    return this.options.authorizedParties;
  }

  async verify(token: string): Promise<JwtPayload> {
    const cached = this.verifiedBefore(token);
    if (cached) return cached;
    const claims = await this.verifyUncached(token);
    if (this.verified.size >= CACHE_CAPACITY) {
      // Drop the oldest entry (Map keeps insertion order).
      this.verified.delete(this.verified.keys().next().value as string);
    }
    this.verified.set(token, claims);
    return claims;
  }

  /**
   * The claims of `token` if it verified before and is still within its
   * exp/nbf (with the clock skew); undefined otherwise, when `verify` must
   * check it. Synchronous: the guard admits a known token without waiting
   * on a promise, on every request a browser makes.
   */
  verifiedBefore(token: string): JwtPayload | undefined {
    const cached = this.verified.get(token);
    if (!cached) return undefined;
    const now = Date.now() / 1000;
    const skew = (this.options.clockSkewMs ?? 5_000) / 1000;
    if (cached.exp + skew > now && (cached.nbf ?? 0) - skew <= now) return cached;
    this.verified.delete(token);
    return undefined;
  }

  /**
   * Through Clerk's JWKS, a token naming a `kid` Clerk's SDK has not cached
   * makes it fetch the JWKS again — a flood of made-up kids would hammer
   * Clerk. So an unknown kid is remembered (negative cache) and, among kids
   * never seen, one lookup per UNKNOWN_KID_LOOKUP_EVERY_MS goes through.
   */
  private screenKid(kid: string | undefined): void {
    if (this.options.jwtKey || !kid || this.knownKids.has(kid)) return;
    const now = Date.now();
    if ((this.unknownKids.get(kid) ?? 0) > now) throw new InvalidTokenError('jwk-kid-mismatch');
    if (now - this.lastUnknownLookup < UNKNOWN_KID_LOOKUP_EVERY_MS)
      throw new InvalidTokenError('jwk-kid-mismatch');
    this.lastUnknownLookup = now;
  }

  private rememberKid(kid: string | undefined, known: boolean): void {
    if (this.options.jwtKey || !kid) return;
    if (known) {
      if (this.knownKids.size < KID_CACHE_CAPACITY) this.knownKids.add(kid);
      this.unknownKids.delete(kid);
      return;
    }
    if (this.unknownKids.size >= KID_CACHE_CAPACITY)
      this.unknownKids.delete(this.unknownKids.keys().next().value as string);
    this.unknownKids.set(kid, Date.now() + UNKNOWN_KID_TTL_MS);
  }

  private async verifyUncached(token: string): Promise<JwtPayload> {
    const kid = kidOf(token);
    this.screenKid(kid);
    let claims: JwtPayload;
    try {
      claims = await verifyToken(token, {
        jwtKey: this.options.jwtKey,
        secretKey: this.options.jwtKey ? undefined : this.options.secretKey,
        apiUrl: this.options.apiUrl,
        authorizedParties: this.options.authorizedParties.length ? this.options.authorizedParties : undefined,
        clockSkewInMs: this.options.clockSkewMs ?? 5_000,
      });
    } catch (error) {
      // Clerk's entry points bundle their own copy of the error class, so
      // instanceof is not reliable: read the reason it carries.
      const reason = (error as Partial<TokenVerificationError> | null)?.reason;
      if (reason === 'jwk-kid-mismatch') this.rememberKid(kid, false);
      throw new InvalidTokenError(typeof reason === 'string' ? reason : 'token-invalid');
    }
    this.rememberKid(kid, true);
    if (this.options.issuer && claims.iss !== this.options.issuer)
      throw new InvalidTokenError('token-invalid-issuer');
    return claims;
  }
}

/** The token of a request: `Authorization: Bearer …`, else the `__session` cookie. */
export function tokenFromRequest(headers: Record<string, string | string[] | undefined>): string | null {
  const authorization = headers['authorization'];
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return match ? match[1] : null;
  }
  return sessionCookieOf(headers);
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Whether a request authenticated by the `__session` cookie (a browser sends
 * it wherever the request comes from) may change anything: a safe method, or
 * an `Origin` that is this host's own or one of the web app's origins
 * (`allowedOrigins`). A request with a bearer token is never a cross-site one.
 */
export function cookieRequestAllowed(
  method: string,
  headers: Record<string, string | string[] | undefined>,
  allowedOrigins: readonly string[],
): boolean {
  if (SAFE_METHODS.has(method.toUpperCase()) || typeof headers['authorization'] === 'string') return true;
  if (!sessionCookieOf(headers)) return true;
  const origin = headers['origin'];
  if (typeof origin !== 'string' || origin === 'null') {
    // No Origin (older browsers on same-origin requests): the Fetch metadata header says where it came from.
    return headers['sec-fetch-site'] === 'same-origin';
  }
  if (allowedOrigins.includes(origin)) return true;
  try {
    return new URL(origin).host === headers['host'];
  } catch {
    return false;
  }
}

function sessionCookieOf(headers: Record<string, string | string[] | undefined>): string | null {
  const cookie = headers['cookie'];
  if (typeof cookie === 'string') {
    for (const part of cookie.split(';')) {
      const [name, ...rest] = part.trim().split('=');
      if (name === '__session' && rest.length) {
        try {
          return decodeURIComponent(rest.join('='));
        } catch {
          throw DomainError.validation([
            { field: 'cookie', message: 'the __session cookie is not valid percent-encoding' },
          ]);
        }
      }
    }
  }
  return null;
}
