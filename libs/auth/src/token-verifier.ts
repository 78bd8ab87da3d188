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

  constructor(private readonly options: TokenVerifierOptions) {
    if (!options.jwtKey && !options.secretKey) {
      throw new Error('Set CLERK_JWT_KEY (PEM public key) or CLERK_SECRET_KEY to verify session tokens');
    }
  }

  async verify(token: string): Promise<JwtPayload> {
    const cached = this.verified.get(token);
    if (cached) {
      const now = Date.now() / 1000;
      const skew = (this.options.clockSkewMs ?? 5_000) / 1000;
      if (cached.exp + skew > now && (cached.nbf ?? 0) - skew <= now) return cached;
      this.verified.delete(token);
    }
    const claims = await this.verifyUncached(token);
    if (this.verified.size >= CACHE_CAPACITY) {
      // Drop the oldest entry (Map keeps insertion order).
      this.verified.delete(this.verified.keys().next().value as string);
    }
    this.verified.set(token, claims);
    return claims;
  }

  private async verifyUncached(token: string): Promise<JwtPayload> {
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
      throw new InvalidTokenError(typeof reason === 'string' ? reason : 'token-invalid');
    }
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
