import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM for destination secrets. A sealed value reads
 * `v1:<key id>:<iv>:<tag>:<ciphertext>` (base64url parts): the key id says
 * which key opens it, so keys can be rotated without a flag day.
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

  seal(secret: Record<string, unknown>): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentKeyId) as Buffer, iv);
    cipher.setAAD(Buffer.from(this.currentKeyId));
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify(secret), 'utf8'), cipher.final()]);
    return ['v1', this.currentKeyId, iv, cipher.getAuthTag(), ciphertext]
      .map((part) => (Buffer.isBuffer(part) ? part.toString('base64url') : part))
      .join(':');
  }

  open<T = Record<string, unknown>>(sealed: string): T {
    const [version, keyId, iv, tag, ciphertext] = sealed.split(':');
    const key = keyId ? this.keys.get(keyId) : undefined;
    if (version !== 'v1' || !key || !iv || !tag || ciphertext === undefined) {
      throw new Error(`Cannot open a credential sealed with key ${keyId ?? '?'}: is it still configured?`);
    }
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(keyId as string));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    const plain = Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]);
    return JSON.parse(plain.toString('utf8')) as T;
  }

  /** Whether `sealed` was made with an older key than the current one. */
  isStale(sealed: string): boolean {
    return sealed.split(':')[1] !== this.currentKeyId;
  }
}
