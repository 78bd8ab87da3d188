import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** The row a sealed secret belongs to (org and row id): it opens for that row only. */
export interface SecretOwner {
  orgId: string;
  rowId: string;
}

/** GCM's full 16-byte tag, set and required explicitly (a shorter tag would be easier to forge). */
const TAG_BYTES = 16;

/**
 * AES-256-GCM for secrets stored in a row (publishing destinations, SEO sources). A sealed value reads
 * `v2:<key id>:<iv>:<tag>:<ciphertext>` (base64url parts). The key id says
 * which key opens it, so keys rotate without a flag day; the associated data
 * binds the key id **and the owning row** (org and row), so a sealed value
 * copied into another row — another org's destination, say — does not open.
 * `v1` values (key id only as associated data) still open, and count as
 * stale: `main.js rotate-credentials` re-seals them as `v2`.
 */
export class CredentialVault {
  private readonly keys = new Map<string, Buffer>();
  readonly currentKeyId: string;

  constructor(spec: string) {
    const entries = spec
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    for (const entry of entries) {
      const [id, key] = entry.split(':') as [string, string];
      const bytes = Buffer.from(key, 'base64');
      if (bytes.length !== 32) throw new Error(`Credential key ${id} is not 32 bytes`);
      this.keys.set(id, bytes);
    }
    const first = entries[0]?.split(':')[0];
    if (!first) throw new Error('No credential key configured');
    this.currentKeyId = first;
  }

  seal(secret: Record<string, unknown>, owner: SecretOwner): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentKeyId) as Buffer, iv, {
      authTagLength: TAG_BYTES,
    });
    cipher.setAAD(associatedData('v2', this.currentKeyId, owner));
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify(secret), 'utf8'), cipher.final()]);
    return ['v2', this.currentKeyId, iv, cipher.getAuthTag(), ciphertext]
      .map((part) => (Buffer.isBuffer(part) ? part.toString('base64url') : part))
      .join(':');
  }

  open<T = Record<string, unknown>>(sealed: string, owner: SecretOwner): T {
    const [version, keyId, iv, tag, ciphertext] = sealed.split(':');
    const key = keyId ? this.keys.get(keyId) : undefined;
    if ((version !== 'v1' && version !== 'v2') || !key || !iv || !tag || ciphertext === undefined) {
      throw new Error(`Cannot open a credential sealed with key ${keyId ?? '?'}: is it still configured?`);
    }
    const authTag = Buffer.from(tag, 'base64url');
    if (authTag.length !== TAG_BYTES) throw new Error('Cannot open a credential: its tag is not 16 bytes');
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(associatedData(version, keyId as string, owner));
    decipher.setAuthTag(authTag);
    const plain = Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]);
    return JSON.parse(plain.toString('utf8')) as T;
  }

  /** Whether `sealed` should be sealed again: an older key than the current one, or the v1 format. */
  isStale(sealed: string): boolean {
    const [version, keyId] = sealed.split(':');
    return version !== 'v2' || keyId !== this.currentKeyId;
  }
}

function associatedData(version: string, keyId: string, owner: SecretOwner): Buffer {
  return Buffer.from(version === 'v1' ? keyId : `v2\u0000${keyId}\u0000${owner.orgId}\u0000${owner.rowId}`);
}
