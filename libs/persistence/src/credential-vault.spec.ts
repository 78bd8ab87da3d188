import { createCipheriv, randomBytes } from 'node:crypto';

import { CredentialVault, type SecretOwner } from './credential-vault';

const key = () => randomBytes(32).toString('base64');
const owner: SecretOwner = { orgId: 'org_a', rowId: '3d6f1a0e-0000-4000-8000-000000000001' };

describe(CredentialVault.name, () => {
  it('seals to ciphertext that names its key and opens back to the secret', () => {
    const vault = new CredentialVault(`k1:${key()}`);
    const sealed = vault.seal({ applicationPassword: 'abcd efgh ijkl' }, owner);
    expect(sealed).toMatch(/^v2:k1:/);
    expect(sealed).not.toContain('abcd');
    expect(vault.open(sealed, owner)).toEqual({ applicationPassword: 'abcd efgh ijkl' });
    expect(vault.seal({ a: 1 }, owner)).not.toBe(vault.seal({ a: 1 }, owner)); // fresh IV each time
  });

  it('refuses a tampered value', () => {
    const vault = new CredentialVault(`k1:${key()}`);
    const sealed = vault.seal({ token: 'x' }, owner);
    const parts = sealed.split(':');
    parts[4] = Buffer.from('tampered').toString('base64url');
    expect(() => vault.open(parts.join(':'), owner)).toThrow();
  });

  it('opens a secret only for the row it was sealed for (copied to another target or org, it does not open)', () => {
    const vault = new CredentialVault(`k1:${key()}`);
    const sealed = vault.seal({ token: 'mine' }, owner);
    expect(() => vault.open(sealed, { ...owner, rowId: '3d6f1a0e-0000-4000-8000-000000000002' })).toThrow();
    expect(() => vault.open(sealed, { ...owner, orgId: 'org_b' })).toThrow();
  });

  it('refuses a truncated tag (the full 16 bytes are required)', () => {
    const vault = new CredentialVault(`k1:${key()}`);
    const parts = vault.seal({ token: 'x' }, owner).split(':');
    parts[3] = Buffer.from(parts[3] as string, 'base64url')
      .subarray(0, 4)
      .toString('base64url');
    expect(() => vault.open(parts.join(':'), owner)).toThrow(/16 bytes/);
  });

  it('rotates: a new first key encrypts, old keys still open, stale values are recognised', () => {
    const [oldKey, newKey] = [key(), key()];
    const before = new CredentialVault(`k1:${oldKey}`);
    const sealed = before.seal({ token: 'old' }, owner);
    const after = new CredentialVault(`k2:${newKey},k1:${oldKey}`);
    expect(after.open(sealed, owner)).toEqual({ token: 'old' });
    expect(after.isStale(sealed)).toBe(true);
    expect(after.isStale(after.seal({ token: 'new' }, owner))).toBe(false);
    expect(() => new CredentialVault(`k2:${newKey}`).open(sealed, owner)).toThrow(/k1/);
  });

  it('still opens a v1 value (key id only as associated data), and counts it stale so rotation re-seals it', () => {
    const raw = randomBytes(32);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', raw, iv);
    cipher.setAAD(Buffer.from('k1'));
    const body = Buffer.concat([cipher.update(JSON.stringify({ token: 'legacy' }), 'utf8'), cipher.final()]);
    const v1 = [
      'v1',
      'k1',
      iv.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
      body.toString('base64url'),
    ].join(':');
    const vault = new CredentialVault(`k1:${raw.toString('base64')}`);
    expect(vault.open(v1, owner)).toEqual({ token: 'legacy' });
    expect(vault.isStale(v1)).toBe(true);
  });
});
