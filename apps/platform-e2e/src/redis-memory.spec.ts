import { join } from 'node:path';

import {
  type PrivateRedis,
  startPrivateRedis,
  testInfra,
  uniqueName,
  waitFor,
  WORKSPACE_ROOT,
} from '@smartbeak/testing';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import request from 'supertest';

import { expectProblem, Platform } from './platform';
import { bullPrefix } from '@smartbeak/messaging';

const acl = require(join(WORKSPACE_ROOT, 'tools/stack/redis-acl.js')) as {
  applyAcl(options: { port: number; prefix: string; passwords: Record<string, string> }): void;
};

/**
 * Redis runs bounded and never evicts (BullMQ's keys must not vanish). When
 * a queue fills it past the high-water mark, the platform refuses new work
 * with 503 problems and says it is not ready — and loses nothing it took.
 */
describe('Redis memory stays bounded', () => {
  let server: PrivateRedis;
  let admin: Redis;
  let platform: Platform;
  let filler: Queue;
  let token: string;

  beforeAll(async () => {
    // A small Redis of this spec's own: filling the shared one would starve the other specs.
    server = await startPrivateRedis(['--maxmemory', '24mb', '--maxmemory-policy', 'noeviction']);
    const { port } = server;
    admin = new Redis(server.url, { maxRetriesPerRequest: null });
    const passwords = JSON.parse(process.env['SMARTBEAK_TEST_REDIS_USERS'] ?? '{}') as Record<string, string>;
    acl.applyAcl({ port, prefix: '*', passwords });
    platform = await Platform.start({
      services: ['control-plane'],
      redisUrlFor: (user) => `redis://${user}:${passwords[user]}@127.0.0.1:${port}`,
      gatewayEnv: { REDIS_MEMORY_HIGH_WATER: '0.5' },
      controlPlaneEnv: { REDIS_MEMORY_HIGH_WATER: '0.5' },
    });
    filler = new Queue(uniqueName('filler'), { connection: admin, prefix: bullPrefix(platform.prefix) });
    token = await platform.token({
      userId: 'user_admin',
      orgId: uniqueName('org_full'),
      permissions: ['org:admin'],
    });
  });

  afterAll(async () => {
    await filler?.close();
    await platform?.stop();
    admin?.disconnect();
    server?.stop();
  });

  const createDomain = (label: string) =>
    request(platform.url)
      .post('/api/domains')
      .set('Authorization', `Bearer ${token}`)
      .send({ name: label, hostname: `${uniqueName(label).replace(/_/g, '-')}.example.com` });

  it('runs the test stack bounded and never evicting', async () => {
    const shared = new Redis(testInfra().redisUrl);
    try {
      expect(await shared.call('CONFIG', 'GET', 'maxmemory-policy')).toEqual([
        'maxmemory-policy',
        'noeviction',
      ]);
      const [, max] = (await shared.call('CONFIG', 'GET', 'maxmemory')) as [string, string];
      expect(Number(max)).toBeGreaterThan(0);
    } finally {
      shared.disconnect();
    }
  });

  it('refuses new work with 503 past the high-water mark, keeps what it took, and recovers', async () => {
    const before = await createDomain('before').expect(201);

    // A queue fills up (a consumer down, a flood): 200 kB jobs until Redis is past half full.
    const ratio = async () => {
      const info = await admin.info('memory');
      const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1]);
      return field('used_memory') / field('maxmemory');
    };
    while ((await ratio()) < 0.6) {
      await filler.addBulk(
        Array.from({ length: 10 }, () => ({ name: 'fill', data: { blob: 'x'.repeat(200_000) } })),
      );
    }

    // The gateway reads Redis's memory at most once a second; readiness and the write guard share the reading.
    await waitFor(
      async () => (await request(platform.url).get('/health/ready')).status === 503,
      10_000,
      'the gateway not ready',
    );
    const refused = await createDomain('during');
    expectProblem(refused, 503);
    expect(refused.headers['retry-after']).toBe('30');
    expect((await request(platform.url).get('/health/ready')).body).toMatchObject({
      details: { redis: { status: 'down', message: 'Redis memory is past its high-water mark' } },
    });
    // Each process reads Redis's memory on its own, at most once a second: control-plane's last
    // reading may be from just before the gateway's.
    await waitFor(
      async () => (await fetch(`${platform.controlPlaneUrl}/health/ready`)).status === 503,
      5_000,
      'control-plane still ready',
    );
    // Reads go on, and nothing taken before is lost.
    const during = await request(platform.url)
      .get('/api/domains')
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    expect(during.body.items.map((d: { id: string }) => d.id)).toEqual([before.body.id]);
    expect(await filler.count()).toBeGreaterThan(0);

    // The queue drains: new work is taken again.
    await filler.obliterate({ force: true });
    await waitFor(
      async () => (await request(platform.url).get('/health/ready')).status === 200,
      10_000,
      'ready again',
    );
    const after = await createDomain('after').expect(201);
    const listed = await request(platform.url)
      .get('/api/domains')
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    expect(listed.body.items.map((d: { id: string }) => d.id).sort()).toEqual(
      [before.body.id, after.body.id].sort(),
    );
  });
});
