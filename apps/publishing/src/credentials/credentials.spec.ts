import { randomBytes } from 'node:crypto';

import { CredentialVault } from './credentials';

const key = () => randomBytes(32).toString('base64');

describe(CredentialVault.name, () => {
  it('seals to ciphertext that names its key and opens back to the secret', () => {
    const vault = new CredentialVault(`k1:${key()}`);
    const sealed = vault.seal({ applicationPassword: 'abcd efgh ijkl' });
    expect(sealed).toMatch(/^v1:k1:/);
    expect(sealed).not.toContain('abcd');
    expect(vault.open(sealed)).toEqual({ applicationPassword: 'abcd efgh ijkl' });
    expect(vault.seal({ a: 1 })).not.toBe(vault.seal({ a: 1 })); // fresh IV each time
  });

  it('refuses a tampered value', () => {
    const vault = new CredentialVault(`k1:${key()}`);
    const sealed = vault.seal({ token: 'x' });
    const parts = sealed.split(':');
    parts[4] = Buffer.from('tampered').toString('base64url');
    expect(() => vault.open(parts.join(':'))).toThrow();
  });

  it('rotates: a new first key encrypts, old keys still open, stale values are recognised', () => {
    const [oldKey, newKey] = [key(), key()];
    const before = new CredentialVault(`k1:${oldKey}`);
    const sealed = before.seal({ token: 'old' });
    const after = new CredentialVault(`k2:${newKey},k1:${oldKey}`);
    expect(after.open(sealed)).toEqual({ token: 'old' });
    expect(after.isStale(sealed)).toBe(true);
    expect(after.isStale(after.seal({ token: 'new' }))).toBe(false);
    expect(() => new CredentialVault(`k2:${newKey}`).open(sealed)).toThrow(/k1/);
  });
});
