import { decodeJwt, decodeProtectedHeader, importSPKI, jwtVerify } from 'jose';

import { freePort } from './processes';
import { createTestKeys, mintToken, unsignedToken } from './tokens';

describe(mintToken.name, () => {
  it('mints an RS256 token that verifies with the published key and carries the claims asked for', async () => {
    const keys = await createTestKeys();
    const token = await mintToken(keys, {
      userId: 'user_9',
      orgId: 'org_9',
      permissions: ['seo:read'],
      domainId: 'd',
      azp: 'https://x',
    });
    const { payload } = await jwtVerify(token, await importSPKI(keys.publicKeyPem, 'RS256'));
    expect(payload).toEqual(
      expect.objectContaining({
        sub: 'user_9',
        org_id: 'org_9',
        permissions: ['seo:read'],
        domain_id: 'd',
        azp: 'https://x',
      }),
    );
  });

  it('can leave the org out and make alg-none tokens', async () => {
    const keys = await createTestKeys();
    expect(decodeJwt(await mintToken(keys, { orgId: null }))['org_id']).toBeUndefined();
    expect(decodeProtectedHeader(unsignedToken({ sub: 'x' })).alg).toBe('none');
  });
});

describe(freePort.name, () => {
  it('finds a port to listen on', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(1024);
  });
});
