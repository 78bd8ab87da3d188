import { eventually, FakeWordPress, inPool } from '@smartbeak/testing';
import { Client } from 'pg';
import request from 'supertest';

import { itemsInReview, Platform } from './platform';

describe('publishing crash safety: kill -9 of the worker with 500 jobs in flight', () => {
  let platform: Platform;
  let wordpress: FakeWordPress;
  let db: Client;
  let token: string;

  beforeAll(async () => {
    wordpress = await new FakeWordPress().start();
    platform = await Platform.start({
      services: ['content', 'publishing'],
      publishingEnv: { PUBLISHING_WORKER_CONCURRENCY: '16', PUBLISHING_STALLED_MS: '2000' },
      // 500 jobs made at once while other specs (a browser among them) load the box: this spec is about
      // crash safety, so a slow answer must not be a 504.
      gatewayEnv: { RPC_TIMEOUT_MS: '10000' },
    });
    const admin = await platform.token({
      userId: 'user_admin',
      orgId: 'org_crash',
      permissions: ['org:admin'],
    });
    const domainId = (
      await request(platform.url)
        .post('/api/domains')
        .set('Authorization', `Bearer ${admin}`)
        .send({ name: 'Crash', hostname: 'crash.example.com' })
        .expect(201)
    ).body.id;
    token = await platform.token({
      userId: 'user_editor',
      orgId: 'org_crash',
      permissions: ['content:read', 'content:write', 'content:publish', 'publishing:write'],
      domainId,
      expiresIn: 3600,
    });
    db = new Client({ connectionString: platform.publishingDb.url });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await platform?.stop();
    await wordpress?.close();
  });

  const post = (path: string) => request(platform.url).post(path).set('Authorization', `Bearer ${token}`);

  it('ends every job completed, failed or dead-lettered, and no post twice', async () => {
    const target = (
      await post('/api/publishing/targets')
        .send({
          type: 'wordpress',
          name: 'site',
          autoPublish: false,
          config: {
            baseUrl: wordpress.url,
            username: wordpress.username,
            applicationPassword: wordpress.password,
          },
        })
        .expect(201)
    ).body;
    const items = await itemsInReview(platform, token, 'Crash item', 500);
    // Slow enough that many calls are under way at the kill, and some are done but unanswered.
    wordpress.latencyMs = 15;
    wordpress.answerDelayMs = 25;
    const jobs = await inPool(items, 16, async (item) => {
      const res = await post('/api/publishing/jobs')
        .send({ contentId: item.id, targetIds: [target.id] })
        .expect(202);
      return res.body.id as string;
    });

    // Let some finish, then pull the plug on the worker mid-flight.
    const count = async (states: string[]) =>
      Number(
        (await db.query(`SELECT count(*) FROM publishing_jobs WHERE state = ANY($1)`, [states])).rows[0]
          .count,
      );
    await eventually(async () => expect(await count(['completed'])).toBeGreaterThanOrEqual(50), {
      timeoutMs: 60_000,
      intervalMs: 50,
    });
    const inFlight = await count(['active']);
    await platform.publishingWorkers[0]?.crash();
    const doneAtCrash = await count(['completed', 'failed']);
    expect(doneAtCrash).toBeLessThan(500); // really mid-flight
    expect(inFlight).toBeGreaterThan(0);

    await platform.startPublishingWorker();
    await eventually(async () => expect(await count(['completed', 'failed'])).toBe(500), {
      timeoutMs: 90_000,
      intervalMs: 250,
    });

    const { rows } = await db.query(
      `SELECT j.state, count(*)::int AS n, count(d.id)::int AS dead FROM publishing_jobs j
         LEFT JOIN dead_letters d ON d.job_id = j.id WHERE j.id = ANY($1::uuid[]) GROUP BY j.state`,
      [jobs],
    );
    const byState = Object.fromEntries(rows.map((row) => [row.state, row.n]));
    expect(Object.keys(byState).every((state) => state === 'completed' || state === 'failed')).toBe(true);
    expect(rows.reduce((sum, row) => sum + row.n, 0)).toBe(500);
    // A failed job is in the DLQ or names its failed target: nothing silently lost.
    for (const row of rows.filter((r) => r.state === 'failed')) expect(row.dead).toBe(row.n);

    // No destination received the same post twice.
    for (const item of items) expect(wordpress.postsWithSlug(item.slug)).toBeLessThanOrEqual(1);
    const completed = await db.query(
      `SELECT j.content->>'slug' AS slug FROM publishing_jobs j WHERE j.id = ANY($1::uuid[]) AND j.state = 'completed'`,
      [jobs],
    );
    for (const { slug } of completed.rows) expect(wordpress.postsWithSlug(slug)).toBe(1);
    expect(completed.rowCount).toBeGreaterThan(450);
    // The jobs the dead worker held were taken over (a second attempt) — reconciled, not re-posted.
    const takenOver = await db.query(
      `SELECT count(*)::int AS n FROM job_targets WHERE job_id = ANY($1::uuid[]) AND attempts > 1`,
      [jobs],
    );
    expect(takenOver.rows[0].n).toBeGreaterThan(0);
    // The test's own waits (the first 50 jobs, then all 500 after the crash) allow up to 150 s on a
    // busy machine; jest's default of 60 s must not cut them short.
  }, 180_000);
});
