import { eventually, FakeLinkedIn, FakeWordPress, testInfra, uniqueName, until } from '@smartbeak/testing';
import { Queue } from 'bullmq';
import { Client } from 'pg';
import request from 'supertest';

import { PNG_1X1 } from './media-files';
import { openStream } from './notify';
import { expectProblem, Platform } from './platform';
import { bullPrefix } from '@smartbeak/messaging';

interface Job {
  id: string;
  state: string;
  attempts: number;
  targets: {
    targetId: string;
    type: string;
    state: string;
    attempts: number;
    externalId: string | null;
    externalUrl: string | null;
    lastError: string | null;
  }[];
}

describe('publishing: jobs through the gateway to WordPress, LinkedIn and email', () => {
  let platform: Platform;
  let wordpress: FakeWordPress;
  let linkedin: FakeLinkedIn;
  let db: Client;
  let domainId: string;
  let editor: string;
  let stranger: string;
  let admin: string;

  beforeAll(async () => {
    wordpress = await new FakeWordPress().start();
    linkedin = await new FakeLinkedIn().start();
    platform = await Platform.start({
      publishingEnv: { LINKEDIN_API_URL: linkedin.url, PUBLISHING_MAX_ATTEMPTS: '3' },
      gatewayEnv: { QUEUE_DASHBOARD_ORGS: 'org_ops' },
    });
    const admin = await platform.token({
      userId: 'user_admin',
      orgId: 'org_pub',
      permissions: ['org:admin'],
    });
    domainId = (
      await request(platform.url)
        .post('/api/domains')
        .set('Authorization', `Bearer ${admin}`)
        .send({ name: 'Pub', hostname: 'pub.example.com' })
        .expect(201)
    ).body.id;
    editor = await platform.token({
      userId: 'user_editor',
      orgId: 'org_pub',
      permissions: ['content:read', 'content:write', 'content:review', 'content:publish', 'publishing:write'],
      domainId,
    });
    stranger = await platform.token({
      userId: 'user_x',
      orgId: 'org_other_pub',
      permissions: ['content:read', 'content:write', 'content:review', 'content:publish', 'publishing:write'],
    });
    db = new Client({ connectionString: platform.publishingDb.url });
    await db.connect();
  });
  afterAll(async () => {
    if (process.env['E2E_DEBUG'])
      console.log(platform?.publishing?.tail(40), platform?.publishingWorkers[0]?.tail(60));
    await db?.end();
    await platform?.stop();
    await wordpress?.close();
    await linkedin?.close();
  });

  const api = (token = editor) => ({
    post: (path: string) => request(platform.url).post(path).set('Authorization', `Bearer ${token}`),
    get: (path: string) => request(platform.url).get(path).set('Authorization', `Bearer ${token}`),
  });

  async function content(
    title: string,
    status: 'review' | 'published' = 'review',
  ): Promise<{ id: string; slug: string }> {
    const item = (
      await api()
        .post('/api/content')
        .send({ title, body: `<p>${title} body</p>`, excerpt: 'Short', tags: ['news'] })
        .expect(201)
    ).body;
    await api().post(`/api/content/${item.id}/transitions`).send({ to: 'review', version: 1 }).expect(200);
    if (status === 'published')
      await api()
        .post(`/api/content/${item.id}/transitions`)
        .send({ to: 'published', version: 2 })
        .expect(200);
    return item;
  }

  async function target(type: string, config: object, name = type): Promise<{ id: string }> {
    const res = await api().post('/api/publishing/targets').send({ type, name, config });
    if (res.status !== 201) throw new Error(`target ${type}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }
  const wpConfig = (over: object = {}) => ({
    baseUrl: wordpress.url,
    username: wordpress.username,
    applicationPassword: wordpress.password,
    categories: ['Announcements'],
    ...over,
  });

  function settle(id: string, states = ['completed', 'failed'], timeoutMs = 20_000): Promise<Job> {
    return eventually(
      async () => {
        const job: Job = (await api().get(`/api/publishing/jobs/${id}`).expect(200)).body;
        if (!states.includes(job.state))
          throw new Error(`job ${id} still ${job.state}: ${JSON.stringify(job)}`);
        return job;
      },
      { timeoutMs, intervalMs: 150 },
    );
  }

  async function inbox(
    address: string,
    count = 1,
  ): Promise<{ subject: string; text: string; html: string; to: string[] }[]> {
    const read = async () => {
      const res = await fetch(`${testInfra().mailApi}?to=${encodeURIComponent(address)}`);
      return (await res.json()) as { subject: string; text: string; html: string; to: string[] }[];
    };
    // The callers assert the count: give them what arrived by the deadline.
    return eventually(
      async () => {
        const messages = await read();
        if (messages.length < count) throw new Error(`${messages.length} of ${count} messages`);
        return messages;
      },
      { timeoutMs: 10_000, intervalMs: 150 },
    ).catch(read);
  }

  it('publishes one job to WordPress, LinkedIn and an email list, and reaches completed', async () => {
    const item = await content('Launch day');
    const wp = await target('wordpress', wpConfig());
    const li = await target('linkedin', {
      accessToken: linkedin.accessToken,
      authorUrn: 'urn:li:organization:42',
    });
    const mail = await target('email', {
      from: 'news@pub.example.com',
      to: ['reader1@example.net', 'reader2@example.net'],
    });

    const accepted = await api()
      .post('/api/publishing/jobs')
      .send({ contentId: item.id, targetIds: [wp.id, li.id, mail.id] })
      .expect(202);
    expect(accepted.body).toEqual(
      expect.objectContaining({
        contentId: item.id,
        domainId,
        state: expect.stringMatching(/queued|active|completed/),
      }),
    );
    const job = await settle(accepted.body.id);
    expect(job.state).toBe('completed');
    expect(job.targets.map((t) => [t.type, t.state])).toEqual([
      ['wordpress', 'succeeded'],
      ['linkedin', 'succeeded'],
      ['email', 'succeeded'],
    ]);

    const post = [...wordpress.posts.values()].find((p) => p.slug === item.slug);
    expect(post).toEqual(
      expect.objectContaining({
        title: 'Launch day',
        content: '<p>Launch day body</p>',
        excerpt: 'Short',
        status: 'publish',
      }),
    );
    expect(post?.categories).toEqual([
      [...wordpress.terms.categories].find(([, n]) => n === 'Announcements')?.[0],
    ]);
    expect(post?.tags).toHaveLength(1);
    expect(job.targets[0]?.externalId).toBe(String(post?.id));

    const share = linkedin.posts.find((p) => p.urn === job.targets[1]?.externalId);
    expect(share).toEqual(
      expect.objectContaining({
        author: 'urn:li:organization:42',
        article: expect.objectContaining({ source: `https://pub.example.com/${item.slug}` }),
      }),
    );
    expect(job.targets[1]?.externalUrl).toBe(`https://www.linkedin.com/feed/update/${share?.urn}/`);

    const [email] = await inbox('reader2@example.net');
    expect(email).toEqual(
      expect.objectContaining({
        subject: 'Launch day',
        to: expect.arrayContaining(['reader1@example.net', 'reader2@example.net']),
      }),
    );
    expect(email?.html).toContain('<p>Launch day body</p>');
    expect(email?.text).toContain('Launch day body');

    // A second job for the same item updates the WordPress post instead of making another.
    const again = await api()
      .post('/api/publishing/jobs')
      .send({ contentId: item.id, targetIds: [wp.id] })
      .expect(202);
    expect((await settle(again.body.id)).state).toBe('completed');
    expect(wordpress.postsWithSlug(item.slug)).toBe(1);
  });

  it('streams each job change live to the org (SSE), and nothing to another org', async () => {
    const stream = openStream(`${platform.url}/api/publishing/jobs/stream`, editor);
    const outsider = openStream(
      `${platform.url}/api/publishing/jobs/stream`,
      await platform.token({
        userId: 'user_editor',
        orgId: uniqueName('org_other'),
        permissions: ['content:read'],
      }),
    );
    try {
      await Promise.all([stream.opened, outsider.opened]);
      expect(stream.status()).toBe(200);
      // The stream's head keeps what every answer carries: its request id and the security headers.
      expect(stream.headers()).toMatchObject({
        'content-type': 'text/event-stream; charset=utf-8',
        'x-request-id': expect.any(String),
        'x-content-type-options': 'nosniff',
      });
      const item = await content('Streamed');
      const mail = await target('email', { from: 'news@pub.example.com', to: ['live@example.net'] }, 'live');
      const job = (
        await api()
          .post('/api/publishing/jobs')
          .send({ contentId: item.id, targetIds: [mail.id] })
          .expect(202)
      ).body as Job;
      await eventually(
        async () => {
          const states = stream.events.filter((e) => e.id === job.id).map((e) => e.data['state']);
          expect(states).toContain('completed');
        },
        { timeoutMs: 20_000 },
      );
      const completed = stream.events.find((e) => e.id === job.id && e.data['state'] === 'completed');
      expect(completed?.data).toEqual(
        expect.objectContaining({ id: job.id, title: 'Streamed', contentId: item.id }),
      );
      expect(outsider.events).toEqual([]);
    } finally {
      stream.close();
      outsider.close();
    }
  });

  it('uploads a media-library image to WordPress as the featured image', async () => {
    const item = await content('With a picture');
    const wp = await target('wordpress', wpConfig(), 'featured');
    const writer = await platform.token({
      userId: 'user_editor',
      orgId: 'org_pub',
      permissions: ['media:write', 'content:read'],
      domainId,
    });
    const intent = (
      await api(writer)
        .post('/api/media/upload-intents')
        .send({ filename: 'hero.png', contentType: 'image/png', size: PNG_1X1.length })
        .expect(201)
    ).body;
    const put = await fetch(intent.upload.url, {
      method: 'PUT',
      headers: intent.upload.headers,
      body: PNG_1X1,
    });
    expect(put.status).toBe(200);
    await api(writer).post(`/api/media/${intent.asset.id}/complete`).expect(200);

    const job = await settle(
      (
        await api()
          .post('/api/publishing/jobs')
          .send({ contentId: item.id, targetIds: [wp.id], featuredMediaId: intent.asset.id })
          .expect(202)
      ).body.id,
    );
    expect(job.state).toBe('completed');
    const post = [...wordpress.posts.values()].find((p) => p.slug === item.slug);
    const attachment = wordpress.media.get(post?.featuredMedia ?? -1);
    expect(attachment).toEqual({ filename: 'hero.png', contentType: 'image/png', bytes: PNG_1X1.length });

    // Not a ready image of this domain: refused before anything is queued.
    expectProblem(
      await api()
        .post('/api/publishing/jobs')
        .send({
          contentId: item.id,
          targetIds: [wp.id],
          featuredMediaId: '00000000-0000-4000-8000-000000000000',
        }),
      404,
    );
  });

  it('one target refuses, the others publish: job failed with per-target detail; retry re-runs only the failed one', async () => {
    const item = await content('Partial');
    const good = await target('wordpress', wpConfig(), 'good');
    const bad = await target(
      'linkedin',
      { accessToken: 'revoked-token', authorUrn: 'urn:li:person:abc' },
      'bad',
    );
    const job = await settle(
      (
        await api()
          .post('/api/publishing/jobs')
          .send({ contentId: item.id, targetIds: [good.id, bad.id] })
          .expect(202)
      ).body.id,
    );
    expect(job.state).toBe('failed');
    const [wp, li] = job.targets;
    expect(wp).toEqual(expect.objectContaining({ state: 'succeeded', attempts: 1 }));
    expect(li).toEqual(
      expect.objectContaining({
        state: 'failed',
        lastError: expect.stringMatching(/401.*INVALID_ACCESS_TOKEN/),
      }),
    );
    const wpCalls = wordpress.requests.length;

    // Fix the credential at the source (LinkedIn now accepts that token), then retry.
    const accepted = linkedin.accessToken;
    Object.assign(linkedin, { accessToken: 'revoked-token' });
    const retried = await settle(
      (await api().post(`/api/publishing/jobs/${job.id}/retry`).expect(202)).body.id,
    );
    Object.assign(linkedin, { accessToken: accepted });
    expect(retried.state).toBe('completed');
    expect(retried.targets.map((t) => [t.state, t.attempts])).toEqual([
      ['succeeded', 1],
      ['succeeded', 2],
    ]);
    expect(wordpress.requests.length).toBe(wpCalls); // the succeeded target was not called again
    expectProblem(await api().post(`/api/publishing/jobs/${job.id}/retry`), 409);
  });

  it('retries transient errors with backoff (honouring Retry-After), then dead-letters; a redrive sends it back', async () => {
    const item = await content('Flaky');
    const wp = await target('wordpress', wpConfig(), 'flaky wp');
    wordpress.script(
      'create-post',
      { status: 503, body: { code: 'unavailable', message: 'down' } },
      { status: 429, body: { code: 'too_many' }, headers: { 'Retry-After': '1' } },
    );
    const started = Date.now();
    const recovered = await settle(
      (
        await api()
          .post('/api/publishing/jobs')
          .send({ contentId: item.id, targetIds: [wp.id] })
          .expect(202)
      ).body.id,
    );
    expect(recovered.state).toBe('completed');
    expect(recovered.attempts).toBe(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000); // waited for Retry-After

    const doomed = await content('Always down');
    wordpress.script(
      'create-post',
      ...Array.from({ length: 3 }, () => ({ status: 502, body: { code: 'bad_gateway' } })),
    );
    const failed = await settle(
      (
        await api()
          .post('/api/publishing/jobs')
          .send({ contentId: doomed.id, targetIds: [wp.id] })
          .expect(202)
      ).body.id,
    );
    expect(failed).toEqual(expect.objectContaining({ state: 'failed', attempts: 3 }));
    const letters = (await api().get('/api/publishing/dead-letters').expect(200)).body.items as {
      id: string;
      jobId: string;
      errorType: string;
      retryCount: number;
      originalQueue: string;
    }[];
    const letter = letters.find((l) => l.jobId === failed.id);
    expect(letter).toEqual(
      expect.objectContaining({ errorType: 'transient', originalQueue: 'publishing', retryCount: 2 }),
    );

    const redriven = await settle(
      (await api().post(`/api/publishing/dead-letters/${letter?.id}/redrive`).expect(202)).body.id,
    );
    expect(redriven.state).toBe('completed');
    expectProblem(await api().post(`/api/publishing/dead-letters/${letter?.id}/redrive`), 404);
    expect(wordpress.postsWithSlug(doomed.slug)).toBe(1);
  });

  it('sends a job whose destination is misconfigured straight to the dead-letter queue', async () => {
    const item = await content('Misconfigured');
    // A destination that resolves to a forbidden address after it was saved: refused at call time.
    const wp = await target('wordpress', wpConfig(), 'soon private');
    await db.query(
      `UPDATE publishing_targets SET config = config || '{"baseUrl":"http://169.254.169.254"}'::jsonb WHERE id = $1`,
      [wp.id],
    );
    const job = await settle(
      (
        await api()
          .post('/api/publishing/jobs')
          .send({ contentId: item.id, targetIds: [wp.id] })
          .expect(202)
      ).body.id,
    );
    expect(job).toEqual(expect.objectContaining({ state: 'failed', attempts: 1 }));
    expect(job.targets[0]?.lastError).toMatch(/169\.254\.169\.254/);
    const letters = (await api().get('/api/publishing/dead-letters').expect(200)).body.items as {
      jobId: string;
      errorType: string;
    }[];
    expect(letters.find((l) => l.jobId === job.id)?.errorType).toBe('validation');
  });

  it('runs a scheduled job at its time, not before', async () => {
    const item = await content('Later');
    const wp = await target('wordpress', wpConfig(), 'scheduled wp');
    const at = new Date(Date.now() + 3_000);
    const job = (
      await api()
        .post('/api/publishing/jobs')
        .send({ contentId: item.id, targetIds: [wp.id], scheduledFor: at.toISOString() })
        .expect(202)
    ).body;
    expect(job.state).toBe('pending');
    // 1.5 s before its time: nothing has happened yet.
    await until(at.getTime() - 1_500);
    expect((await api().get(`/api/publishing/jobs/${job.id}`).expect(200)).body.state).toBe('pending');
    expect(wordpress.postsWithSlug(item.slug)).toBe(0);
    const done = await settle(job.id);
    expect(done.state).toBe('completed');
    const { rows } = await db.query(
      `SELECT min(at) AS at FROM job_events WHERE job_id = $1 AND state = 'active'`,
      [job.id],
    );
    expect(new Date(rows[0].at).getTime()).toBeGreaterThanOrEqual(at.getTime() - 50);
  });

  it('publishes by itself when a content item’s scheduled time comes (through the content event)', async () => {
    // A domain of its own: every auto-publish target of the domain receives the item.
    admin = await platform.token({ userId: 'user_admin', orgId: 'org_pub', permissions: ['org:admin'] });
    const siteId = (
      await request(platform.url)
        .post('/api/domains')
        .set('Authorization', `Bearer ${admin}`)
        .send({ name: 'Auto', hostname: 'auto.example.com' })
        .expect(201)
    ).body.id;
    const token = await platform.token({
      userId: 'user_editor',
      orgId: 'org_pub',
      permissions: ['content:read', 'content:write', 'content:review', 'publishing:write'],
      domainId: siteId,
    });
    const wp = (
      await api(token)
        .post('/api/publishing/targets')
        .send({ type: 'wordpress', name: 'auto', config: wpConfig() })
        .expect(201)
    ).body;
    await api(token)
      .post('/api/publishing/targets')
      .send({
        type: 'email',
        name: 'not automatic',
        autoPublish: false,
        config: { from: 'a@auto.example.com', to: ['never@example.net'] },
      })
      .expect(201);
    const item = (
      await api(token).post('/api/content').send({ title: 'Auto', body: '<p>auto</p>' }).expect(201)
    ).body;
    await api(token)
      .post(`/api/content/${item.id}/transitions`)
      .send({ to: 'review', version: 1 })
      .expect(200);
    await api(token)
      .post(`/api/content/${item.id}/transitions`)
      .send({ to: 'scheduled', version: 2, scheduledFor: new Date(Date.now() + 1_500).toISOString() })
      .expect(200);
    const jobs = await eventually(
      async () => {
        const found: Job[] = (await api(token).get(`/api/publishing/jobs?contentId=${item.id}`).expect(200))
          .body.items;
        expect(['completed', 'failed']).toContain(found[0]?.state);
        return found;
      },
      { timeoutMs: 20_000, intervalMs: 250 },
    );
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.state).toBe('completed');
    expect(jobs[0]?.targets.map((t) => t.targetId)).toEqual([wp.id]);
    expect(wordpress.postsWithSlug(item.slug)).toBe(1);
  });

  it('tests a destination without publishing, and never returns or stores a credential in clear', async () => {
    const wp = await target('wordpress', wpConfig(), 'checked');
    expect(wp).toEqual(
      expect.objectContaining({
        type: 'wordpress',
        config: { baseUrl: wordpress.url, username: wordpress.username, categories: ['Announcements'] },
      }),
    );
    const before = wordpress.posts.size;
    expect((await api().post(`/api/publishing/targets/${wp.id}/test`).expect(200)).body).toEqual({
      ok: true,
      detail: 'Connected as Editor',
    });
    const wrong = await target('wordpress', wpConfig({ applicationPassword: 'wrong' }), 'wrong password');
    const failed = (await api().post(`/api/publishing/targets/${wrong.id}/test`).expect(200)).body;
    expect(failed).toEqual({ ok: false, detail: expect.stringMatching(/401.*incorrect_password/) });
    const li = await target(
      'linkedin',
      { accessToken: linkedin.accessToken, authorUrn: 'urn:li:person:me' },
      'li check',
    );
    expect((await api().post(`/api/publishing/targets/${li.id}/test`).expect(200)).body.ok).toBe(true);
    expect(wordpress.posts.size).toBe(before);

    const listed = JSON.stringify((await api().get('/api/publishing/targets?limit=100').expect(200)).body);
    expect(listed).not.toContain(wordpress.password);
    expect(listed).not.toContain(linkedin.accessToken);
    const { rows } = await db.query(
      `SELECT secret, config::text AS config FROM publishing_targets WHERE id = ANY($1::uuid[])`,
      [[wp.id, li.id]],
    );
    for (const row of rows) {
      expect(row.secret).toMatch(/^v2:test:/);
      expect(row.secret).not.toContain(wordpress.password);
      expect(row.secret).not.toContain(linkedin.accessToken);
      expect(row.config).not.toContain(wordpress.password);
      expect(row.config).not.toContain(linkedin.accessToken);
    }
  });

  it('refuses destinations the outbound guard forbids, and bad input, with problems', async () => {
    for (const baseUrl of [
      'http://169.254.169.254/latest',
      'http://10.0.0.1',
      'https://[::1]',
      'ftp://example.com',
    ]) {
      const res = await api()
        .post('/api/publishing/targets')
        .send({ type: 'wordpress', name: 'x', config: wpConfig({ baseUrl }) });
      expectProblem(res, 400);
    }
    const missing = await api()
      .post('/api/publishing/targets')
      .send({ type: 'linkedin', name: 'x', config: { authorUrn: 'nope' } });
    expectProblem(missing, 400);
    expect(missing.body.errors.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining(['config.accessToken', 'config.authorUrn']),
    );
    const item = await content('Bad input');
    const wp = await target('wordpress', wpConfig(), 'input');
    expectProblem(await api().post('/api/publishing/jobs').send({ contentId: item.id, targetIds: [] }), 400);
    expectProblem(
      await api()
        .post('/api/publishing/jobs')
        .send({ contentId: item.id, targetIds: [wp.id], scheduledFor: 'soon' }),
      400,
    );
    expectProblem(
      await api()
        .post('/api/publishing/jobs')
        .send({ contentId: item.id, targetIds: [wp.id], extra: 1 }),
      400,
    );
    const draft = (await api().post('/api/content').send({ title: 'Still a draft' }).expect(201)).body;
    expectProblem(
      await api()
        .post('/api/publishing/jobs')
        .send({ contentId: draft.id, targetIds: [wp.id] }),
      422,
    );
    expectProblem(
      await api()
        .post('/api/publishing/jobs')
        .send({ contentId: item.id, targetIds: ['00000000-0000-4000-8000-000000000000'] }),
      404,
    );
    // Another org sees none of it.
    expectProblem(
      await api(stranger)
        .post('/api/publishing/jobs')
        .send({ contentId: item.id, targetIds: [wp.id] }),
      404,
    );
    expectProblem(await api(stranger).post(`/api/publishing/targets/${wp.id}/test`), 404);
    const job = (
      await api()
        .post('/api/publishing/jobs')
        .send({ contentId: item.id, targetIds: [wp.id] })
        .expect(202)
    ).body;
    expectProblem(await api(stranger).get(`/api/publishing/jobs/${job.id}`), 404);
    expect((await api(stranger).get('/api/publishing/dead-letters').expect(200)).body.items).toEqual([]);
  });

  it('takes turns when two jobs publish the same item to the same site at once: one post', async () => {
    const item = await content('Twice at once');
    const wp = await target('wordpress', wpConfig(), 'turns');
    wordpress.answerDelayMs = 300; // the first post is still in flight when the second job starts
    try {
      const ids = await Promise.all(
        [1, 2, 3].map(
          async () =>
            (
              await api()
                .post('/api/publishing/jobs')
                .send({ contentId: item.id, targetIds: [wp.id] })
                .expect(202)
            ).body.id,
        ),
      );
      for (const id of ids) expect((await settle(id)).state).toBe('completed');
    } finally {
      wordpress.answerDelayMs = 0;
    }
    expect(wordpress.postsWithSlug(item.slug)).toBe(1);
  });

  it('marks a LinkedIn post that got no answer unconfirmed (never re-posted blindly); the user settles it', async () => {
    const item = await content('No answer');
    const li = await target(
      'linkedin',
      { accessToken: linkedin.accessToken, authorUrn: 'urn:li:organization:9' },
      'silent li',
    );
    linkedin.script('create-post', 'hang-after'); // the post is made, the answer never comes
    const before = linkedin.posts.length;
    const job = await settle(
      (
        await api()
          .post('/api/publishing/jobs')
          .send({ contentId: item.id, targetIds: [li.id] })
          .expect(202)
      ).body.id,
    );
    expect(job.state).toBe('failed');
    expect(job.targets[0]).toEqual(
      expect.objectContaining({ state: 'unconfirmed', lastError: expect.stringMatching(/no answer/) }),
    );
    expect(job.attempts).toBe(1); // not retried: a retry could post twice
    expect(linkedin.posts.length).toBe(before + 1);

    // The user checked LinkedIn and saw the post.
    const settled = await api()
      .post(`/api/publishing/jobs/${job.id}/targets/${li.id}/resolve`)
      .send({ action: 'mark-succeeded' })
      .expect(200);
    expect(settled.body).toEqual(
      expect.objectContaining({
        state: 'completed',
        targets: [expect.objectContaining({ state: 'succeeded' })],
      }),
    );
    expectProblem(
      await api().post(`/api/publishing/jobs/${job.id}/targets/${li.id}/resolve`).send({ action: 'retry' }),
      409,
    );

    // Another time the user asks for a new try instead.
    linkedin.script('create-post', 'hang-after');
    const second = await settle(
      (
        await api()
          .post('/api/publishing/jobs')
          .send({ contentId: item.id, targetIds: [li.id] })
          .expect(202)
      ).body.id,
    );
    expect(second.targets[0]?.state).toBe('unconfirmed');
    await api()
      .post(`/api/publishing/jobs/${second.id}/targets/${li.id}/resolve`)
      .send({ action: 'retry' })
      .expect(200);
    expect((await settle(second.id)).state).toBe('completed');
    expectProblem(
      await api().post(`/api/publishing/jobs/${second.id}/targets/${li.id}/resolve`).send({ action: 'nope' }),
      400,
    );
  });

  it('sweeps up a scheduled job whose queue job was lost (Redis flushed) and runs it', async () => {
    const item = await content('Lost in Redis');
    const wp = await target('wordpress', wpConfig(), 'sweep wp');
    const job = (
      await api()
        .post('/api/publishing/jobs')
        .send({
          contentId: item.id,
          targetIds: [wp.id],
          scheduledFor: new Date(Date.now() + 3_600_000).toISOString(),
        })
        .expect(202)
    ).body;
    // The delayed queue job vanishes, and the time has long come.
    const queue = new Queue('publishing', {
      connection: { url: testInfra().redisUrl },
      prefix: bullPrefix(platform.prefix),
    });
    try {
      expect(await queue.remove(`${job.id}-0`)).toBe(1);
    } finally {
      await queue.close();
    }
    await db.query(`UPDATE publishing_jobs SET scheduled_for = now() - interval '2 minutes' WHERE id = $1`, [
      job.id,
    ]);
    const done = await settle(job.id);
    expect(done.state).toBe('completed');
    expect(wordpress.postsWithSlug(item.slug)).toBe(1);
    const { rows } = await db.query(
      `SELECT detail FROM job_events WHERE job_id = $1 AND detail LIKE 'requeued by the sweeper%'`,
      [job.id],
    );
    expect(rows).toHaveLength(1);
  });

  it('serves the queue dashboard to admins of an operator org only', async () => {
    const path = '/api/admin/queues';
    expectProblem(await request(platform.url).get(path), 401);
    const customerAdmin = await platform.token({ userId: 'u', orgId: 'org_pub', permissions: ['org:admin'] });
    expectProblem(await request(platform.url).get(path).set('Authorization', `Bearer ${customerAdmin}`), 403);
    const operatorEditor = await platform.token({
      userId: 'u',
      orgId: 'org_ops',
      permissions: ['content:read'],
    });
    expectProblem(
      await request(platform.url).get(path).set('Authorization', `Bearer ${operatorEditor}`),
      403,
    );
    const operator = await platform.token({ userId: 'ops', orgId: 'org_ops', permissions: ['org:admin'] });
    const page = await request(platform.url)
      .get(path)
      .set('Cookie', `smartbeak_token=${operator}`)
      .expect(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    const queues = await request(platform.url)
      .get(`${path}/api/queues`)
      .set('Authorization', `Bearer ${operator}`)
      .expect(200);
    expect(queues.body.queues.map((q: { name: string }) => q.name)).toContain('publishing');
  });

  it('answers a repeated create with the same Idempotency-Key with the first job', async () => {
    const item = await content('Once only');
    const wp = await target('wordpress', wpConfig(), 'idem');
    const key = `job-${Date.now()}`;
    const first = await api()
      .post('/api/publishing/jobs')
      .set('Idempotency-Key', key)
      .send({ contentId: item.id, targetIds: [wp.id] })
      .expect(202);
    const again = await api()
      .post('/api/publishing/jobs')
      .set('Idempotency-Key', key)
      .send({ contentId: item.id, targetIds: [wp.id] })
      .expect(202);
    expect(again.body.id).toBe(first.body.id);
    const jobs = (await api().get(`/api/publishing/jobs?contentId=${item.id}`).expect(200)).body.items;
    expect(jobs).toHaveLength(1);
  });

  describe('the batch API (POST /api/publishing/jobs/batch)', () => {
    interface BatchItem {
      index: number;
      status: number;
      job?: Job;
      problem?: { status: number; code: string; detail: string; type: string; title: string };
    }
    const jobsOf = async (contentIds: string[]) =>
      (
        await db.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM publishing_jobs WHERE content_id = ANY($1::uuid[])',
          [contentIds],
        )
      ).rows[0]!.n;

    it('makes the valid items and answers each refused one with the problem a single create gives', async () => {
      const [a, b] = await Promise.all([content('Batch A'), content('Batch B')]);
      const draft = (
        await api().post('/api/content').send({ title: 'Batch draft', body: '<p>d</p>' }).expect(201)
      ).body;
      const wp = await target('wordpress', wpConfig(), 'batch');
      const unknownTarget = '00000000-0000-4000-8000-000000000001';
      const res = await api()
        .post('/api/publishing/jobs/batch')
        .send({
          jobs: [
            { contentId: a.id, targetIds: [wp.id] },
            { contentId: draft.id, targetIds: [wp.id] },
            { contentId: b.id, targetIds: [unknownTarget] },
            { contentId: b.id, targetIds: [wp.id] },
          ],
        })
        .expect(207);
      expect(res.body.accepted).toBe(2);
      expect(res.body.rejected).toBe(2);
      const results: BatchItem[] = res.body.items;
      expect(results.map((r) => [r.index, r.status])).toEqual([
        [0, 202],
        [1, 422],
        [2, 404],
        [3, 202],
      ]);
      expect(results[1]!.problem).toEqual(
        expect.objectContaining({ status: 422, code: 'PUBLISHING.CONTENT_NOT_PUBLISHABLE' }),
      );
      expect(results[2]!.problem).toEqual(
        expect.objectContaining({ status: 404, code: 'PUBLISHING.TARGET_NOT_FOUND' }),
      );
      expect(results[2]!.problem!.detail).toContain(unknownTarget);
      // The same item and target made alone answer the same problem.
      const single = await api()
        .post('/api/publishing/jobs')
        .send({ contentId: draft.id, targetIds: [wp.id] });
      expectProblem(single, 422);
      expect(single.body.code).toBe(results[1]!.problem!.code);
      expect(await jobsOf([draft.id])).toBe(0);
      expect(await jobsOf([a.id, b.id])).toBe(2);
      const done = await Promise.all([settle(results[0]!.job!.id), settle(results[3]!.job!.id)]);
      expect(done.map((j) => j.state)).toEqual(['completed', 'completed']);
      expect(done[0]!.targets[0]!.externalUrl).toMatch(/^http/);
    });

    it("answers another org's content and targets as missing (404), item by item", async () => {
      const otherAdmin = await platform.token({
        userId: 'user_other_admin',
        orgId: 'org_other_pub',
        permissions: ['org:admin'],
      });
      const otherDomain = (
        await request(platform.url)
          .post('/api/domains')
          .set('Authorization', `Bearer ${otherAdmin}`)
          .send({ name: 'Other', hostname: 'other-batch.example.com' })
          .expect(201)
      ).body.id;
      const other = await platform.token({
        userId: 'user_other',
        orgId: 'org_other_pub',
        domainId: otherDomain,
        permissions: [
          'content:read',
          'content:write',
          'content:review',
          'content:publish',
          'publishing:write',
        ],
      });
      const theirs = (
        await api(other).post('/api/content').send({ title: 'Theirs', body: '<p>t</p>' }).expect(201)
      ).body;
      await api(other)
        .post(`/api/content/${theirs.id}/transitions`)
        .send({ to: 'review', version: 1 })
        .expect(200);
      const theirTarget = (
        await api(other)
          .post('/api/publishing/targets')
          .send({ type: 'wordpress', name: 'theirs', config: wpConfig() })
          .expect(201)
      ).body;
      const mine = await content('Mine in a mixed batch');
      const wp = await target('wordpress', wpConfig(), 'mine-batch');

      const res = await api()
        .post('/api/publishing/jobs/batch')
        .send({
          jobs: [
            { contentId: theirs.id, targetIds: [wp.id] },
            { contentId: mine.id, targetIds: [theirTarget.id] },
            { contentId: mine.id, targetIds: [wp.id] },
          ],
        })
        .expect(207);
      const results: BatchItem[] = res.body.items;
      expect(results.map((r) => r.status)).toEqual([404, 404, 202]);
      expect(results[0]!.problem!.code).toBe('CONTENT.ITEM_NOT_FOUND');
      expect(results[1]!.problem!.code).toBe('PUBLISHING.TARGET_NOT_FOUND');
      // Nothing of theirs was written, and they cannot see our job.
      expect(await jobsOf([theirs.id])).toBe(0);
      await api(other).get(`/api/publishing/jobs/${results[2]!.job!.id}`).expect(404);
    });

    it('replays a batch with the same Idempotency-Key (one set of jobs); another body with it is refused', async () => {
      const [a, b] = await Promise.all([content('Idem batch A'), content('Idem batch B')]);
      const wp = await target('wordpress', wpConfig(), 'idem-batch');
      const key = `batch-${Date.now()}`;
      const body = {
        jobs: [
          { contentId: a.id, targetIds: [wp.id] },
          { contentId: b.id, targetIds: [wp.id] },
        ],
      };
      const first = await api()
        .post('/api/publishing/jobs/batch')
        .set('Idempotency-Key', key)
        .send(body)
        .expect(207);
      const again = await api()
        .post('/api/publishing/jobs/batch')
        .set('Idempotency-Key', key)
        .send(body)
        .expect(207);
      expect(again.body.items.map((r: BatchItem) => r.job!.id)).toEqual(
        first.body.items.map((r: BatchItem) => r.job!.id),
      );
      expect(await jobsOf([a.id, b.id])).toBe(2);
      expectProblem(
        await api()
          .post('/api/publishing/jobs/batch')
          .set('Idempotency-Key', key)
          .send({ jobs: [body.jobs[0]] }),
        422,
      );
      expect(await jobsOf([a.id, b.id])).toBe(2);
    });

    it('refuses a malformed batch whole (400 naming the item), and more than 100 items', async () => {
      const item = await content('Shape check');
      const wp = await target('wordpress', wpConfig(), 'shape');
      const bad = await api()
        .post('/api/publishing/jobs/batch')
        .send({
          jobs: [
            { contentId: item.id, targetIds: [wp.id] },
            { contentId: 'nope', targetIds: [wp.id] },
          ],
        });
      expectProblem(bad, 400);
      expect(JSON.stringify(bad.body.errors)).toContain('jobs.1.contentId');
      expectProblem(await api().post('/api/publishing/jobs/batch').send({ jobs: [] }), 400);
      const tooMany = Array.from({ length: 101 }, () => ({ contentId: item.id, targetIds: [wp.id] }));
      expectProblem(await api().post('/api/publishing/jobs/batch').send({ jobs: tooMany }), 400);
      expect(await jobsOf([item.id])).toBe(0);
      // Permission: the same rule as a single create.
      const reader = await platform.token({
        userId: 'user_reader',
        orgId: 'org_pub',
        domainId,
        permissions: ['content:read'],
      });
      expectProblem(
        await api(reader)
          .post('/api/publishing/jobs/batch')
          .send({ jobs: [{ contentId: item.id, targetIds: [wp.id] }] }),
        403,
      );
    });
  });
});
