import { createTestKeys, mintToken, type TestKeys, unsignedToken } from '@smartbeak/testing';
import { createServer, type Server } from 'node:http';

import { exportJWK, SignJWT } from 'jose';

import { contextFromClaims } from './claims';
import { InvalidTokenError, tokenFromRequest, TokenVerifier } from './token-verifier';

async function reasonOf(verifier: TokenVerifier, token: string): Promise<string> {
  try {
    await verifier.verify(token);
  } catch (error) {
    if (error instanceof InvalidTokenError) return error.reason;
    throw error;
  }
  return 'accepted';
}

const APP = 'https://app.smartbeak.test';

describe(TokenVerifier.name, () => {
  let keys: TestKeys;
  let otherKeys: TestKeys;
  let sut: TokenVerifier;

  beforeAll(async () => {
    keys = await createTestKeys();
    otherKeys = await createTestKeys();
    sut = new TokenVerifier({ jwtKey: keys.publicKeyPem, authorizedParties: [APP] });
  });

  it('accepts a valid token and returns its claims', async () => {
    const claims = await sut.verify(await mintToken(keys, { userId: 'user_1', orgId: 'org_1', azp: APP }));
    expect(claims.sub).toBe('user_1');
    expect((claims as unknown as Record<string, unknown>)['org_id']).toBe('org_1');
  });

  it.each([
    ['expired', { expiresIn: -60, azp: APP }, 'token-expired'],
    ['not yet valid', { notBefore: 600, azp: APP }, 'token-not-active-yet'],
    ['from another authorized party', { azp: 'https://evil.example' }, 'token-invalid-authorized-parties'],
    ['without azp while authorized parties are set', {}, 'token-invalid-authorized-parties'],
  ])('refuses a token that is %s', async (_label, options, reason) => {
    expect(await reasonOf(sut, await mintToken(keys, options))).toBe(reason);
  });

  it('checks the issuer when one is configured', async () => {
    const issuer = 'https://clerk.smartbeak.test';
    const strict = new TokenVerifier({ jwtKey: keys.publicKeyPem, authorizedParties: [APP], issuer });
    const own = await mintToken(keys, { azp: APP, extraClaims: { iss: issuer } });
    expect(await reasonOf(strict, own)).toBe('accepted');
    const other = await mintToken(keys, { azp: APP, extraClaims: { iss: 'https://clerk.other.test' } });
    expect(await reasonOf(strict, other)).toBe('token-invalid-issuer');
    expect(await reasonOf(strict, await mintToken(keys, { azp: APP }))).toBe('token-invalid-issuer');
  });

  it('refuses a token signed by another key', async () => {
    expect(await reasonOf(sut, await mintToken(otherKeys, { azp: APP }))).toBe('token-invalid-signature');
  });

  it('refuses alg none', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = unsignedToken({ sub: 'user_1', org_id: 'org_1', iat: now, nbf: now - 5, exp: now + 600 });
    expect(await reasonOf(sut, token)).toMatch(/^token-invalid/);
  });

  it('refuses HS256 signed with the public key as the secret (algorithm confusion)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ org_id: 'org_1' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject('user_1')
      .setIssuedAt(now)
      .setNotBefore(now - 5)
      .setExpirationTime(now + 600)
      .sign(new TextEncoder().encode(keys.publicKeyPem));
    expect(await reasonOf(sut, token)).toBe('token-invalid-algorithm');
  });

  it('refuses garbage', async () => {
    expect(await reasonOf(sut, 'not.a.jwt')).toMatch(/^token-invalid/);
    expect(await reasonOf(sut, 'x')).toMatch(/^token-invalid/);
  });

  it('refuses to start without any key', () => {
    expect(() => new TokenVerifier({ authorizedParties: [] })).toThrow(/CLERK_JWT_KEY/);
  });
});

describe(tokenFromRequest.name, () => {
  it('reads the bearer token first, then the __session cookie', () => {
    expect(tokenFromRequest({ authorization: 'Bearer abc.def.ghi' })).toBe('abc.def.ghi');
    expect(tokenFromRequest({ cookie: 'theme=dark; __session=tok.en.x; other=1' })).toBe('tok.en.x');
    expect(tokenFromRequest({ authorization: 'Basic Zm9vOmJhcg==' })).toBeNull();
    expect(tokenFromRequest({})).toBeNull();
  });

  it('answers a malformed percent-encoding in the cookie as bad input (400), not a crash', () => {
    expect(() => tokenFromRequest({ cookie: '__session=%E0%A4%A' })).toThrow(
      expect.objectContaining({ code: 'COMMON.VALIDATION' }),
    );
  });
});

describe(contextFromClaims.name, () => {
  const base = { sub: 'user_1', sid: 'sess_1', iat: 0, exp: 0, nbf: 0, iss: 'x', azp: 'x', __raw: '' };

  it('takes custom org, domain and permission claims, dropping unknown permissions', () => {
    const ctx = contextFromClaims(
      {
        ...base,
        org_id: 'org_1',
        domain_id: '9b2f4c1e-8d7a-4b1e-9f00-0a1b2c3d4e5f',
        permissions: ['content:read', 'rm:-rf'],
      } as never,
      'req-1',
    );
    expect(ctx).toEqual(
      expect.objectContaining({
        userId: 'user_1',
        orgId: 'org_1',
        domainId: '9b2f4c1e-8d7a-4b1e-9f00-0a1b2c3d4e5f',
        permissions: ['content:read'],
        requestId: 'req-1',
      }),
    );
  });

  it("maps Clerk's v1 organisation claims, and org:admin grants everything", () => {
    const member = contextFromClaims(
      { ...base, org_id: 'org_1', org_role: 'org:member', org_permissions: ['org:content:write'] } as never,
      'r',
    );
    expect(member?.permissions).toEqual(['content:write']);
    const admin = contextFromClaims(
      { ...base, org_id: 'org_1', org_role: 'org:admin', org_permissions: [] } as never,
      'r',
    );
    expect(admin?.permissions).toContain('org:admin');
    expect(admin?.permissions).toContain('seo:write');
  });

  it("maps Clerk's v2 `o` claim", () => {
    const ctx = contextFromClaims(
      { ...base, v: 2, o: { id: 'org_2', rol: 'admin', slg: 'acme' } } as never,
      'r',
    );
    expect(ctx?.orgId).toBe('org_2');
    expect(ctx?.orgSlug).toBe('acme');
    expect(ctx?.permissions).toContain('org:admin');
  });

  it('returns null when the token names no organisation', () => {
    expect(contextFromClaims({ ...base } as never, 'r')).toBeNull();
  });

  it('ignores a domain_id that is not a UUID', () => {
    expect(
      contextFromClaims({ ...base, org_id: 'o', domain_id: "1' OR 1=1" } as never, 'r')?.domainId,
    ).toBeNull();
  });
});

describe('TokenVerifier cache', () => {
  it('does not keep accepting a cached token once it has expired', async () => {
    const keys = await createTestKeys();
    const sut = new TokenVerifier({ jwtKey: keys.publicKeyPem, authorizedParties: [], clockSkewMs: 0 });
    const token = await mintToken(keys, { expiresIn: 2 });
    await expect(sut.verify(token)).resolves.toEqual(expect.objectContaining({ sub: 'user_test' }));
    await expect(sut.verify(token)).resolves.toEqual(expect.objectContaining({ sub: 'user_test' }));
    await new Promise((r) => setTimeout(r, 2_100));
    await expect(sut.verify(token)).rejects.toMatchObject({ reason: 'token-expired' });
  });

  describe("through Clerk's JWKS (Backend API contract: GET /v1/jwks, Bearer secret key)", () => {
    let server: Server;
    let apiUrl: string;
    let jwksCalls = 0;
    let keys: TestKeys;
    let otherKeys: TestKeys;

    beforeAll(async () => {
      keys = await createTestKeys();
      otherKeys = await createTestKeys();
      const jwk = { ...(await exportJWK(keys.privateKey)), kid: 'test', alg: 'RS256', use: 'sig' };
      // Only the public half is served.
      const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = jwk;
      server = createServer((req, res) => {
        if (req.url !== '/v1/jwks' || req.headers.authorization !== 'Bearer sk_test_jwks') {
          res.writeHead(401, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ errors: [{ code: 'authentication_invalid', message: 'bad key' }] }));
          return;
        }
        jwksCalls++;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ keys: [publicJwk] }));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      apiUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    });
    afterAll(() => new Promise((resolve) => server.close(resolve)));

    const withKid = (kid: string) =>
      new SignJWT({ org_id: 'org_1', permissions: [], azp: APP })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid })
        .setSubject('user_1')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(otherKeys.privateKey);

    it('verifies against the JWKS, and a flood of unknown kids does not hammer Clerk', async () => {
      const verifier = new TokenVerifier({ secretKey: 'sk_test_jwks', apiUrl, authorizedParties: [APP] });
      await expect(reasonOf(verifier, await mintToken(keys, { azp: APP }))).resolves.toBe('accepted');
      const afterGood = jwksCalls;
      expect(afterGood).toBeGreaterThanOrEqual(1);

      // 40 tokens with made-up kids, 20 of them repeating one kid: refused, one lookup at most.
      const tokens = await Promise.all(
        Array.from({ length: 40 }, (_, i) => withKid(i % 2 ? 'forged' : `forged-${i}`)),
      );
      const reasons = [];
      for (const token of tokens) reasons.push(await reasonOf(verifier, token));
      expect(new Set(reasons)).toEqual(new Set(['jwk-kid-mismatch']));
      expect(jwksCalls - afterGood).toBeLessThanOrEqual(1);
      // The real key keeps working meanwhile.
      await expect(reasonOf(verifier, await mintToken(keys, { azp: APP, userId: 'user_2' }))).resolves.toBe(
        'accepted',
      );
    });
  });
});
