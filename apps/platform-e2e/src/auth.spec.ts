import { createTestKeys, mintToken, unsignedToken } from '@smartbeak/testing';
import { SignJWT } from 'jose';
import request from 'supertest';

import { expectProblem, Platform } from './platform';

describe('gateway authentication and authorisation', () => {
  let platform: Platform;

  beforeAll(async () => {
    // Its own gateway: it checks azp (CLERK_AUTHORIZED_PARTIES), which the shared one does not.
    platform = await Platform.start({
      services: ['control-plane'],
      gatewayEnv: { CLERK_AUTHORIZED_PARTIES: 'https://app.smartbeak.test' },
    });
  });
  afterAll(() => platform?.stop());

  const azp = 'https://app.smartbeak.test';

  it('GET /api/me returns the context of a valid token (bearer or __session cookie)', async () => {
    const token = await platform.token({
      userId: 'user_me',
      orgId: 'org_me',
      permissions: ['content:read'],
      azp,
    });
    const bearer = await request(platform.url)
      .get('/api/me')
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    expect(bearer.body).toEqual(
      expect.objectContaining({
        userId: 'user_me',
        orgId: 'org_me',
        domainId: null,
        permissions: ['content:read'],
      }),
    );
    const cookie = await request(platform.url).get('/api/me').set('Cookie', `__session=${token}`).expect(200);
    expect(cookie.body.userId).toBe('user_me');
  });

  it("every answer carries helmet's security headers, a refusal too", async () => {
    const token = await platform.token({ permissions: ['content:read'], azp });
    const answers = [
      await request(platform.url).get('/api/me').set('Authorization', `Bearer ${token}`).expect(200),
      await request(platform.url).get('/api/me').expect(401),
      await request(platform.url).get('/health/live').expect(200),
    ];
    for (const answer of answers) {
      expect(answer.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'cross-origin-resource-policy': 'same-site',
        'x-frame-options': 'SAMEORIGIN',
        'strict-transport-security': expect.stringContaining('max-age='),
      });
      expect(answer.headers['x-powered-by']).toBeUndefined();
    }
    // The headers that act only on documents come with the console's pages and the API's docs page,
    // not with every JSON answer.
    for (const path of ['/', '/content/some-item', '/api/docs']) {
      const page = await request(platform.url).get(path).redirects(1).expect(200);
      expect({ path, type: page.headers['content-type'] }).toEqual({
        path,
        type: expect.stringMatching(/^text\/html/),
      });
      expect({ path, ...page.headers }).toMatchObject({
        path,
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'SAMEORIGIN',
        'cross-origin-opener-policy': 'same-origin',
        'referrer-policy': 'no-referrer',
        'origin-agent-cluster': '?1',
      });
    }
    for (const answer of answers) expect(answer.headers['cross-origin-opener-policy']).toBeUndefined();
  });

  describe('refuses with 401 problem+json', () => {
    const cases: [string, () => Promise<string | null>][] = [
      ['no token', async () => null],
      ['a malformed token', async () => 'definitely-not-a-jwt'],
      ['an expired token', () => platform.token({ expiresIn: -60, azp })],
      ['a token not valid yet', () => platform.token({ notBefore: 300, azp })],
      ['a token signed by another key', async () => mintToken(await createTestKeys(), { azp })],
      [
        'alg none',
        async () => {
          const now = Math.floor(Date.now() / 1000);
          return unsignedToken({
            sub: 'user_x',
            org_id: 'org_x',
            azp,
            iat: now,
            nbf: now - 5,
            exp: now + 600,
          });
        },
      ],
      [
        'HS256 signed with the public key',
        async () => {
          const now = Math.floor(Date.now() / 1000);
          return new SignJWT({ org_id: 'org_x', azp })
            .setProtectedHeader({ alg: 'HS256' })
            .setSubject('user_x')
            .setIssuedAt(now)
            .setNotBefore(now - 5)
            .setExpirationTime(now + 600)
            .sign(new TextEncoder().encode(platform.keys.publicKeyPem));
        },
      ],
      ['an azp that is not allowed', () => platform.token({ azp: 'https://evil.example' })],
      ['a token without an org', () => platform.token({ orgId: null, azp })],
    ];

    it.each(cases)('%s', async (_label, makeToken) => {
      const token = await makeToken();
      const req = request(platform.url).get('/api/me');
      const res = await (token ? req.set('Authorization', `Bearer ${token}`) : req);
      expectProblem(res, 401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(JSON.stringify(res.body)).not.toMatch(/stack|at .*\.js/);
    });
  });

  it('answers a __session cookie that is not valid percent-encoding with a 400 problem, not a 500', async () => {
    const res = await request(platform.url).get('/api/me').set('Cookie', '__session=%E0%A4%A');
    expectProblem(res, 400);
    expect(res.body.errors).toEqual([{ field: 'cookie', message: expect.any(String) }]);
  });

  it('answers 403 problem for a missing permission', async () => {
    const token = await platform.token({ orgId: 'org_perm', permissions: ['content:read'], azp });
    const res = await request(platform.url)
      .post('/api/domains')
      .set('Authorization', `Bearer ${token}`)
      .send({ name: 'Blog', hostname: 'blog.example.com' });
    expectProblem(res, 403);
    expect(res.body.detail).toMatch(/org:admin/);
  });

  it("answers another org's domain exactly like a missing one (404)", async () => {
    const ownerToken = await platform.token({
      userId: 'user_a',
      orgId: 'org_a',
      permissions: ['org:admin'],
      azp,
    });
    const created = await request(platform.url)
      .post('/api/domains')
      .set('Authorization', `Bearer ${ownerToken}`)
      .send({ name: 'A', hostname: 'a.example.com' })
      .expect(201);

    const strangerToken = await platform.token({
      userId: 'user_b',
      orgId: 'org_b',
      permissions: ['org:admin'],
      azp,
    });
    const foreign = await request(platform.url)
      .get(`/api/domains/${created.body.id}`)
      .set('Authorization', `Bearer ${strangerToken}`);
    const missing = await request(platform.url)
      .get('/api/domains/00000000-0000-4000-8000-000000000000')
      .set('Authorization', `Bearer ${strangerToken}`);
    expectProblem(foreign, 404);
    expectProblem(missing, 404);
    const strip = (body: Record<string, unknown>) => ({ ...body, instance: undefined });
    expect(strip(foreign.body)).toEqual(strip(missing.body));

    const list = await request(platform.url)
      .get('/api/domains')
      .set('Authorization', `Bearer ${strangerToken}`)
      .expect(200);
    expect(list.body.items.map((d: { id: string }) => d.id)).not.toContain(created.body.id);
  });
});
