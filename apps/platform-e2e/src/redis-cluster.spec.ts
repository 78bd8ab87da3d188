// The platform on a Redis Cluster (3 masters), each process with its own ACL
// user on every node and REDIS_URL=redis+cluster://…: the RPC transport, a
// publishing job end to end, and an event through the outbox relay and
// BullMQ (a scheduled item published by content → publishing's consumer →
// a job → WordPress), with keys spread over the masters.
import { bullPrefix, rpcKeys } from '@smartbeak/messaging';
import {
  eventually,
  FakeWordPress,
  keySlot,
  keysPerNode,
  type RedisCluster,
  startRedisCluster,
} from '@smartbeak/testing';
import request from 'supertest';

import { Platform, seedTenant } from './platform';

type Job = { id: string; state: string; targets: { state: string }[] };

describe('on a Redis Cluster', () => {
  let cluster: RedisCluster;
  let wordpress: FakeWordPress;
  let platform: Platform;
  let token: string;

  beforeAll(async () => {
    cluster = await startRedisCluster(3);
    wordpress = await new FakeWordPress().start();
    platform = await Platform.start({
      services: ['content', 'publishing'],
      redisUrlFor: cluster.urlFor,
      // The rate limiter on, its counters on the cluster too.
      gatewayEnv: { RATE_LIMIT_PER_MINUTE: '10000' },
    });
    const tenant = await seedTenant(platform, 'cluster');
    token = await tenant.token(
      'user_editor',
      ['content:read', 'content:write', 'content:review', 'content:publish', 'publishing:write'],
      { expiresIn: 3600 },
    );
  }, 120_000);

  afterAll(async () => {
    await platform?.stop();
    await wordpress?.close();
    cluster?.stop();
  });

  const api = () => ({
    post: (path: string) => request(platform.url).post(path).set('Authorization', `Bearer ${token}`),
    get: (path: string) => request(platform.url).get(path).set('Authorization', `Bearer ${token}`),
  });

  async function draft(title: string): Promise<{ id: string; version: number }> {
    return (
      await api()
        .post('/api/content')
        .send({ title, body: `<p>${title}</p>` })
        .expect(201)
    ).body;
  }

  it('carries RPC: the gateway asks content and control-plane through the cluster', async () => {
    const item = await draft('Over the cluster');
    const read = await api().get(`/api/content/${item.id}`).expect(200);
    expect(read.body.title).toBe('Over the cluster');
    await api().get('/api/me').expect(200);
  });

  it('keeps Idempotency-Keys and rate-limit counters on the cluster: a replayed create makes one item', async () => {
    const key = `cluster-${Date.now()}`;
    const send = () =>
      api()
        .post('/api/content')
        .set('Idempotency-Key', key)
        .send({ title: 'Once on the cluster', body: '<p>1</p>' });
    const first = await send().expect(201);
    const again = await send().expect(201);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers['idempotent-replayed']).toBe('true');
    // The rate limiter counted both on the cluster (it fails open, with nothing counted, when Redis errs).
    expect(Number(again.headers['x-ratelimit-remaining'])).toBeLessThan(
      Number(first.headers['x-ratelimit-remaining']),
    );
  });

  it('runs a publishing job end to end: queued, run by the worker, posted once', async () => {
    const target = (
      await api()
        .post('/api/publishing/targets')
        .send({
          type: 'wordpress',
          name: 'cluster site',
          autoPublish: false,
          config: wordpress.targetConfig(),
        })
        .expect(201)
    ).body;
    const item = await draft('Job over the cluster');
    await api().post(`/api/content/${item.id}/transitions`).send({ to: 'review', version: 1 }).expect(200);
    const job = (
      await api()
        .post('/api/publishing/jobs')
        .send({ contentId: item.id, targetIds: [target.id] })
        .expect(202)
    ).body as Job;
    const done = await eventually(
      async () => {
        const now: Job = (await api().get(`/api/publishing/jobs/${job.id}`).expect(200)).body;
        if (now.state !== 'completed') throw new Error(`job still ${now.state}`);
        return now;
      },
      { timeoutMs: 20_000, intervalMs: 200 },
    );
    expect(done.targets.map((t) => t.state)).toEqual(['succeeded']);
    expect(
      [...wordpress.posts.values()].filter((post) => post.title === 'Job over the cluster'),
    ).toHaveLength(1);
  });

  it('relays an event: a scheduled item published by content makes publishing post it (outbox → BullMQ → consumer)', async () => {
    await api()
      .post('/api/publishing/targets')
      .send({
        type: 'wordpress',
        name: 'auto',
        config: wordpress.targetConfig(),
      })
      .expect(201);
    const item = await draft('Scheduled over the cluster');
    await api().post(`/api/content/${item.id}/transitions`).send({ to: 'review', version: 1 }).expect(200);
    await api()
      .post(`/api/content/${item.id}/transitions`)
      .send({ to: 'scheduled', version: 2, scheduledFor: new Date(Date.now() + 1_000).toISOString() })
      .expect(200);
    await eventually(
      async () => {
        const jobs: Job[] = (await api().get(`/api/publishing/jobs?contentId=${item.id}`).expect(200)).body
          .items;
        expect(jobs.map((job) => job.state)).toEqual(['completed']);
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    expect((await api().get(`/api/content/${item.id}`).expect(200)).body.status).toBe('published');
    expect(
      [...wordpress.posts.values()].filter((post) => post.title === 'Scheduled over the cluster'),
    ).toHaveLength(1);
  });

  it('spreads the platform’s keys over the masters; each queue’s keys share one slot', () => {
    const perNode = keysPerNode(cluster);
    expect(perNode.filter((count) => count > 0).length).toBeGreaterThanOrEqual(2);
    const bull = bullPrefix(platform.prefix);
    const slots = new Set(
      ['publishing:wait', 'publishing:meta', 'publishing-events:events', 'content-maintenance:delayed'].map(
        (suffix) => keySlot(cluster, `${bull}:${suffix}`),
      ),
    );
    expect(slots.size).toBe(1);
    // The RPC lists are plain keys: they land wherever their names hash.
    expect(keySlot(cluster, rpcKeys.requests(platform.prefix, 'content'))).not.toBe(
      keySlot(cluster, `${bull}:publishing:wait`),
    );
  });
});
