import { eventually } from '@smartbeak/testing';
import request from 'supertest';

import { expectProblem, Platform } from './platform';

describe('when control-plane is down', () => {
  let platform: Platform;
  let token: string;

  beforeAll(async () => {
    platform = await Platform.start({ services: ['control-plane', 'content'] });
    token = await platform.token({ orgId: 'org_res', permissions: ['org:admin'] });
  });
  afterAll(() => platform?.stop());

  it('answers 503 problem within the RPC timeout, and recovers when it returns', async () => {
    const get = (path: string) => request(platform.url).get(path).set('Authorization', `Bearer ${token}`);
    await get('/api/me').expect(200);
    await get('/api/domains').expect(200);

    await platform.controlPlane.crash();
    // A read the gateway keeps (ControlPlaneCache) is still answered: who the caller is does not need control-plane.
    expect((await get('/api/me').expect(200)).body.orgId).toBe('org_res');

    // A read that needs control-plane: its heartbeat lapses within a few seconds; until then
    // requests wait at most the timeout (2 s here).
    const started = Date.now();
    const res = await get('/api/domains');
    expect(Date.now() - started).toBeLessThan(2_000 + 1_000);
    expect([503, 504]).toContain(res.status);
    expectProblem(res, res.status);

    // Once its heartbeat has lapsed, the gateway knows at once that nobody is there.
    await eventually(
      async () => {
        const later = Date.now();
        const down = await get('/api/domains');
        expectProblem(down, 503);
        expect(Date.now() - later).toBeLessThan(1_000);
        expect(down.headers['retry-after']).toBeDefined();
      },
      { timeoutMs: 10_000, intervalMs: 250 },
    );

    const health = await request(platform.url).get('/api/health');
    expectProblem(health, 503);
    const { 'control-plane': controlPlane, ...others } = health.body.services as Record<string, string>;
    expect(controlPlane).toBe('down');
    expect(Object.keys(others).sort()).toEqual(['content']);
    expect(new Set(Object.values(others))).toEqual(new Set(['up']));

    await platform.startControlPlane();
    await get('/api/domains').expect(200);
    await get('/api/me').expect(200);
    await request(platform.url).get('/api/health').expect(200);
  });
});

describe('rate limiting', () => {
  let platform: Platform;

  beforeAll(async () => {
    platform = await Platform.start({
      services: ['control-plane'],
      gatewayEnv: {
        RATE_LIMIT_PER_MINUTE: '5',
        AUTH_FAILURE_LIMIT_PER_MINUTE: '5',
        CORS_ORIGINS: 'https://app.example.com',
      },
    });
  });
  afterAll(() => platform?.stop());

  it('answers 429 problem with Retry-After past the per-user limit, per user', async () => {
    const alice = await platform.token({ userId: 'user_alice', orgId: 'org_rl' });
    const bob = await platform.token({ userId: 'user_bob', orgId: 'org_rl' });
    for (let i = 0; i < 5; i++)
      await request(platform.url).get('/api/me').set('Authorization', `Bearer ${alice}`).expect(200);
    const limited = await request(platform.url).get('/api/me').set('Authorization', `Bearer ${alice}`);
    expectProblem(limited, 429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    await request(platform.url).get('/api/me').set('Authorization', `Bearer ${bob}`).expect(200);
  });

  it('answers CORS preflights for the web app origin only, with every method the API uses', async () => {
    const ok = await request(platform.url)
      .options('/api/media/00000000-0000-4000-8000-000000000000')
      .set('Origin', 'https://app.example.com')
      .set('Access-Control-Request-Method', 'DELETE')
      .set('Access-Control-Request-Headers', 'authorization,idempotency-key');
    expect(ok.status).toBe(204);
    expect(ok.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(ok.headers['access-control-allow-methods']).toMatch(/DELETE/);
    expect(ok.headers['access-control-allow-headers']).toMatch(/Idempotency-Key/i);
    const evil = await request(platform.url)
      .options('/api/me')
      .set('Origin', 'https://evil.example')
      .set('Access-Control-Request-Method', 'GET');
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('throttles an address after repeated failed authentications, before checking its tokens', async () => {
    // Runs last here: once the loopback address is blocked, every request from it is, for a minute.
    for (let i = 0; i < 5; i++) {
      expectProblem(
        await request(platform.url).get('/api/me').set('Authorization', `Bearer bad-token-${i}`),
        401,
      );
    }
    const limited = await request(platform.url).get('/api/me').set('Authorization', 'Bearer bad-token-6');
    expectProblem(limited, 429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    // Even a valid token waits: the limit runs before authentication.
    const valid = await platform.token({ userId: 'user_carol', orgId: 'org_rl' });
    expectProblem(await request(platform.url).get('/api/me').set('Authorization', `Bearer ${valid}`), 429);
  });
});
