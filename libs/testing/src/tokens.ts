import { exportSPKI, generateKeyPair, type JWTPayload, type KeyLike, SignJWT } from 'jose';

export interface TestKeys {
  privateKey: KeyLike;
  publicKeyPem: string;
}

/** A throwaway RSA key pair; the gateway under test trusts its public half. */
export async function createTestKeys(): Promise<TestKeys> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return { privateKey, publicKeyPem: await exportSPKI(publicKey) };
}

export interface TokenOptions {
  userId?: string;
  orgId?: string | null;
  permissions?: string[];
  domainId?: string;
  azp?: string;
  /** Seconds from now; negative for an expired token. */
  expiresIn?: number;
  /** Seconds from now the token becomes valid. */
  notBefore?: number;
  extraClaims?: JWTPayload;
}

/** A Clerk-shaped session token (custom org/permission claims) signed with the test key. */
export async function mintToken(keys: TestKeys, options: TokenOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims: JWTPayload = { sid: 'sess_test', ...options.extraClaims };
  if (options.orgId !== null) claims['org_id'] = options.orgId ?? 'org_test';
  claims['permissions'] = options.permissions ?? [];
  if (options.domainId) claims['domain_id'] = options.domainId;
  if (options.azp) claims['azp'] = options.azp;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: 'test' })
    .setSubject(options.userId ?? 'user_test')
    .setIssuedAt(now - 10)
    .setNotBefore(now + (options.notBefore ?? -10))
    .setExpirationTime(now + (options.expiresIn ?? 600))
    .sign(keys.privateKey);
}

/** A token with `alg: none` and no signature. */
export function unsignedToken(payload: JWTPayload): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(payload)}.`;
}
