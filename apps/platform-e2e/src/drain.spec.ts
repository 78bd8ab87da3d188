// A rolling update under load: SIGTERM to one of two content replicas and to
// one of two publishing workers while 200 API requests and 200 jobs are in
// flight. The stopping replicas finish what they hold (or leave it to the
// other), exit cleanly within their grace, and nothing fails or is lost.
import { eventually, FakeWordPress } from '@smartbeak/testing';
import { Client } from 'pg';
import request from 'supertest';

import { itemsInReview, Platform, seedTenant } from './platform';

describe('SIGTERM under load (a rolling update)', () => {
  let platform: Platform;
  let wordpress: FakeWordPress;
  let db: Client;
  let token: string;

  beforeAll(async () => {
    wordpress = await new FakeWordPress().start();
    platform = await Platform.start({
      services: ['content', 'publishing'],
      publishingEnv: { PUBLISHING_WORKER_CONCURRENCY: '16' },
      contentEnv: { SHUTDOWN_TIMEOUT_MS: '20000' },
      // 400 calls at once on a box the other specs also load: slow is allowed, failing is not.
      gatewayEnv: { RPC_TIMEOUT_MS: '15000' },
    });
    await Promise.all([platform.startContentReplica(), platform.startPublishingWorker()]);
    const tenant = await seedTenant(platform, 'drain');
    token = await tenant.token(
      'user_editor',
      ['content:read', 'content:write', 'content:publish', 'publishing:write'],
      { expiresIn: 3600 },
    );
    db = new Client({ connectionString: platform.publishingDb.url });
    await db.connect();
  }, 120_000);

  afterAll(async () => {
    await db?.end();
    await platform?.stop();
    await wordpress?.close();
  });

  const post = (path: string) => request(platform.url).post(path).set('Authorization', `Bearer ${token}`);
  const get = (path: string) => request(platform.url).get(path).set('Authorization', `Bearer ${token}`);

  it('loses no request and no job when a content replica and a worker are stopped mid-flight', async () => {
    expect(platform.content).toHaveLength(2);
    expect(platform.publishingWorkers).toHaveLength(2);
    const target = (
      await post('/api/publishing/targets')
        .send({
          type: 'wordpress',
          name: 'drain site',
          autoPublish: false,
          config: wordpress.targetConfig(),
        })
        .expect(201)
    ).body;
    const items = await itemsInReview(platform, token, 'Drain item', 200);
    // Each post takes a while, so the workers hold many at once when told to stop.
    wordpress.latencyMs = 40;

    // 200 jobs (two batches), then 200 API calls at once (reads and writes, spread over both replicas).
    const jobIds: string[] = [];
    for (const batch of [items.slice(0, 100), items.slice(100)]) {
      const res = await post('/api/publishing/jobs/batch')
        .send({ jobs: batch.map((item) => ({ contentId: item.id, targetIds: [target.id] })) })
        .expect(207);
      expect(res.body.accepted).toBe(100);
      jobIds.push(...res.body.items.map((entry: { job: { id: string } }) => entry.job.id));
    }
    let answered = 0;
    const calls = Array.from({ length: 200 }, (_, i) =>
      i % 4 === 0
        ? post('/api/content').send({ title: `During the drain ${i}`, body: '<p>y</p>' })
        : get(`/api/content/${items[i % items.length]!.id}`),
    ).map((call) => call.then((res) => (answered++, res.status)));

    // Both stop while their work is in flight.
    const count = async (states: string[]) =>
      Number(
        (
          await db.query(
            `SELECT count(*) FROM publishing_jobs WHERE id = ANY($1::uuid[]) AND state = ANY($2)`,
            [jobIds, states],
          )
        ).rows[0].count,
      );
    await eventually(async () => expect(await count(['active'])).toBeGreaterThan(0), {
      timeoutMs: 30_000,
      intervalMs: 20,
    });
    const answeredAtStop = answered;
    const [contentExit, workerExit] = await Promise.all([
      platform.content[0]!.stop(30_000),
      platform.publishingWorkers[0]!.stop(30_000),
    ]);
    const doneWhenStopped = await count(['completed', 'failed']);

    // Every API call answered with success: none dropped, none timed out, none a 5xx.
    const statuses = await Promise.all(calls);
    expect(statuses.filter((status) => status >= 300)).toEqual([]);
    // They left by themselves once drained (Nest re-raises SIGTERM after its hooks), not by the SIGKILL after the grace.
    for (const exit of [contentExit, workerExit])
      expect([
        { code: 0, signal: null },
        { code: null, signal: 'SIGTERM' },
      ]).toContainEqual(exit);
    // Really under load: calls and jobs were still in flight when the replicas were told to stop.
    expect(answeredAtStop).toBeLessThan(200);
    expect(doneWhenStopped).toBeLessThan(200);

    // Every job completes (the remaining worker takes what the stopped one did not start), each posted once.
    await eventually(async () => expect(await count(['completed'])).toBe(200), {
      timeoutMs: 90_000,
      intervalMs: 250,
    });
    for (const item of items) expect(wordpress.postsWithSlug(item.slug)).toBe(1);
  }, 240_000);
});
