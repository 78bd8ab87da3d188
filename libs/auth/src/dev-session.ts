import { createPublicKey } from 'node:crypto';

import { importPKCS8, SignJWT } from 'jose';

/** The issuer of development sessions (never a Clerk instance). */
export const DEV_SESSION_ISSUER = 'https://smartbeak.dev.local';

export interface DevSession {
  userId: string;
  orgId: string;
  permissions: string[];
  domainId?: string;
  email?: string;
  name?: string;
}

/**
 * Signs session tokens shaped like Clerk's with the local development key,
 * for a gateway run without any Clerk instance (`DEV_SESSION_KEY`). The
 * gateway verifies them with the key's public half, as it would Clerk's.
 */
export class DevSessionSigner {
  private key?: Awaited<ReturnType<typeof importPKCS8>>;

  constructor(private readonly privateKeyPem: string) {
    if (!/-----BEGIN PRIVATE KEY-----/.test(privateKeyPem)) {
      throw new Error('DEV_SESSION_KEY must be a PKCS#8 PEM private key');
    }
  }

  /** The public half (SPKI PEM): what the verifier trusts. */
  publicKeyPem(): string {
    return createPublicKey(this.privateKeyPem).export({ type: 'spki', format: 'pem' }).toString();
  }

  async sign(session: DevSession, ttlSeconds: number): Promise<{ token: string; expiresAt: Date }> {
    this.key ??= await importPKCS8(this.privateKeyPem, 'RS256');
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = {
      org_id: session.orgId,
      permissions: session.permissions,
      sid: `sess_dev_${now}`,
    };
    if (session.domainId) claims['domain_id'] = session.domainId;
    if (session.email) claims['email'] = session.email;
    if (session.name) claims['name'] = session.name;
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: 'smartbeak-dev' })
      .setSubject(session.userId)
      .setIssuer(DEV_SESSION_ISSUER)
      .setIssuedAt(now)
      .setNotBefore(now - 5)
      .setExpirationTime(now + ttlSeconds)
      .sign(this.key);
    return { token, expiresAt: new Date((now + ttlSeconds) * 1000) };
  }
}
