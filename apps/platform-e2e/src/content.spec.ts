import { eventually, testInfra, uniqueName, until } from '@smartbeak/testing';
import { Queue } from 'bullmq';
import request from 'supertest';

import { expectProblem, Platform, seedTenant, type Tenant } from './platform';
import { bullPrefix } from '@smartbeak/messaging';

interface Item {
  id: string;
  domainId: string;
  title: string;
  slug: string;
  body: string;
  excerpt: string;
  tags: string[];
  status: string;
  version: number;
  scheduledFor: string | null;
  publishedAt: string | null;
  createdBy: string;
  updatedBy: string;
  createdAt: string;
  updatedAt: string;
  lock: { lockedBy: string; expiresAt: string } | null;
}

describe('content: lifecycle, versions, locks and revisions through the gateway', () => {
  let platform: Platform;
  let tenant: Tenant;
  let domainId: string;
  let writer: string;
  let otherWriter: string;
  let reviewer: string;
  let admin: string;
  let stranger: string;

  beforeAll(async () => {
    platform = await Platform.shared();
    tenant = await seedTenant(platform, 'content');
    domainId = tenant.domainId;
    const as = (userId: string, permissions: string[]) => tenant.token(userId, permissions);
    writer = await as('user_writer', ['content:read', 'content:write']);
    otherWriter = await as('user_other', ['content:read', 'content:write']);
    reviewer = await as('user_reviewer', ['content:read', 'content:review']);
    admin = await as('user_admin', ['org:admin', 'content:read', 'content:write']);
    stranger = await platform.token({
      userId: 'user_stranger',
      orgId: uniqueName('org_elsewhere'),
      permissions: ['org:admin', 'content:read', 'content:write', 'content:review', 'content:publish'],
    });
  });
  afterAll(async () => {
    if (process.env['E2E_DEBUG']) console.log(platform?.content[0]?.tail(60), platform?.gateway?.tail(20));
    await platform?.stop();
  });

  const api = (token: string) => ({
    post: (path: string) => request(platform.url).post(path).set('Authorization', `Bearer ${token}`),
    get: (path: string) => request(platform.url).get(path).set('Authorization', `Bearer ${token}`),
    delete: (path: string) => request(platform.url).delete(path).set('Authorization', `Bearer ${token}`),
  });

  async function create(body: object = {}, token = writer): Promise<Item> {
    const res = await api(token)
      .post('/api/content')
      .send({ title: 'A post', ...body });
    expect(res.status).toBe(201);
    return res.body;
  }

  function move(item: { id: string; version: number }, to: string, token: string, extra = {}) {
    return api(token)
      .post(`/api/content/${item.id}/transitions`)
      .send({ to, version: item.version, ...extra });
  }

  it('creates a draft at version 1 with a slug made from the title, unique per domain', async () => {
    const first = await create({
      title: 'Hello, World!',
      body: '<p>hi</p>',
      tags: ['News', 'news', 'Launch'],
    });
    expect(first).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      domainId,
      title: 'Hello, World!',
      slug: 'hello-world',
      body: '<p>hi</p>',
      excerpt: '',
      tags: ['news', 'launch'],
      status: 'draft',
      version: 1,
      scheduledFor: null,
      publishedAt: null,
      createdBy: 'user_writer',
      updatedBy: 'user_writer',
      createdAt: expect.any(String),
      updatedAt: first.createdAt,
      lock: null,
      coldSince: null,
    });
    expect((await create({ title: 'Hello world' })).slug).toBe('hello-world-2');
    expect((await create({ title: 'Other', slug: 'hello-world' })).slug).toBe('hello-world-3');
    const read = await api(writer).get(`/api/content/${first.id}`).expect(200);
    expect(read.body).toEqual(first);
  });

  it('gives concurrent creates with the same title distinct slugs', async () => {
    const items = await Promise.all(Array.from({ length: 20 }, () => create({ title: 'Same Title' })));
    const slugs = items.map((item) => item.slug);
    expect(new Set(slugs).size).toBe(20);
    expect(slugs).toContain('same-title');
    for (const slug of slugs) expect(slug).toMatch(/^same-title(-[0-9a-f]+)?$/);
  });

  it('relays item events through the outbox to publishing (event id = job id), bounded, and to no undrained queue', async () => {
    const item = await create({ title: 'Relayed', body: 'x'.repeat(60_000) });
    await move(item, 'review', writer).expect(200);
    const events = (await api(writer).get(`/api/content/${item.id}/events`).expect(200)).body.items as {
      eventId: string;
      type: string;
      version: number;
    }[];
    const queues = ['publishing-events', 'analytics-events', 'notifications-events'].map(
      (name) =>
        new Queue(name, { connection: { url: testInfra().redisUrl }, prefix: bullPrefix(platform.prefix) }),
    );
    const [publishing, analytics, notifications] = queues;
    try {
      for (const event of events) {
        const job = await eventually(async () => {
          const found = await publishing!.getJob(event.eventId);
          expect(found).toBeDefined();
          return found;
        });
        expect(job?.data).toEqual(
          expect.objectContaining({
            id: event.eventId,
            type: event.type,
            aggregateId: item.id,
            version: event.version,
            orgId: tenant.orgId,
            domainId,
            payload: expect.objectContaining({ actor: 'user_writer', changed: expect.any(Array) }),
          }),
        );
        // What changed, never the body: a 60 kB body stays in content's event store.
        expect(JSON.stringify(job?.data.payload).length).toBeLessThan(2_000);
        expect(job?.data.payload.changes).not.toHaveProperty('body');
      }
      const created = (await publishing!.getJob(events[0]!.eventId))?.data.payload;
      expect(created.changed).toEqual(expect.arrayContaining(['title', 'body']));
      // Analytics counts creations and saves, not a submission for review: it gets them in one
      // job per relay batch, under one seal (BATCHED_EVENT_QUEUES).
      const batched = async () =>
        (await analytics!.getJobs(['completed', 'waiting', 'active', 'delayed']))
          .flatMap((job) => (job.data.events ?? []) as { id: string }[])
          .map((e) => e.id);
      for (const event of events) {
        if (event.type === 'content.item.created') {
          await eventually(async () => expect(await batched()).toContain(event.eventId));
        } else if (event.type === 'content.item.submitted') {
          expect(await batched()).not.toContain(event.eventId);
        }
      }
      // Notifications hears what it turns into messages (a submission for review), not every edit.
      for (const event of events) {
        if (event.type === 'content.item.submitted') {
          await eventually(async () => expect(await notifications!.getJob(event.eventId)).toBeDefined());
        } else expect(await notifications!.getJob(event.eventId)).toBeUndefined();
      }
    } finally {
      await Promise.all(queues.map((queue) => queue.close()));
    }
  });

  // Every move and its permission, and 12 racing updates on one version: apps/content/test/content-rules.spec.ts
  // (the services on the real database). Here: that the gateway maps those refusals to HTTP.
  it('answers a move without its permission 403 and an illegal one 409 naming the allowed moves', async () => {
    const item = await create({ title: 'Moves over HTTP' });
    expectProblem(await move(item, 'review', reviewer), 403);
    const skip = await move(item, 'published', reviewer);
    expectProblem(skip, 409);
    expect(skip.body).toEqual(expect.objectContaining({ currentStatus: 'draft', allowed: ['review'] }));
    const missing = await move((await move(item, 'review', writer).expect(200)).body, 'scheduled', reviewer);
    expectProblem(missing, 400);
    expect(missing.body.errors).toEqual([{ field: 'scheduledFor', message: expect.any(String) }]);
  });

  it('updates with optimistic concurrency: a stale version is a 409 carrying the current one', async () => {
    const item = await create({ title: 'Versions' });
    const updated = await api(writer)
      .post('/api/content/update')
      .send({ id: item.id, version: 1, body: 'second', tags: ['a'] })
      .expect(200);
    expect(updated.body).toEqual(
      expect.objectContaining({ version: 2, body: 'second', tags: ['a'], title: 'Versions' }),
    );
    const stale = await api(writer)
      .post('/api/content/update')
      .send({ id: item.id, version: 1, body: 'lost' });
    expectProblem(stale, 409);
    expect(stale.body.currentVersion).toBe(2);
    expect((await api(writer).get(`/api/content/${item.id}`)).body.body).toBe('second');
  });

  it('keeps revisions, diffs two versions field by field and restores an old one as a new version', async () => {
    const item = await create({ title: 'Draft one', body: 'alpha', tags: ['x'] });
    await api(writer)
      .post('/api/content/update')
      .send({ id: item.id, version: 1, title: 'Draft two', body: 'beta', tags: ['x', 'y'] })
      .expect(200);
    await api(writer)
      .post('/api/content/update')
      .send({ id: item.id, version: 2, excerpt: 'short' })
      .expect(200);

    const list = await api(writer).get(`/api/content/${item.id}/revisions?limit=2`).expect(200);
    expect(list.body.items.map((r: { version: number }) => r.version)).toEqual([3, 2]);
    expect(list.body.items[0]).not.toHaveProperty('body');
    const rest = await api(writer)
      .get(`/api/content/${item.id}/revisions?cursor=${list.body.nextCursor}`)
      .expect(200);
    expect(rest.body).toEqual({
      items: [expect.objectContaining({ version: 1, cause: 'content.item.created' })],
      nextCursor: null,
    });

    const v1 = await api(writer).get(`/api/content/${item.id}/revisions/1`).expect(200);
    expect(v1.body).toEqual(
      expect.objectContaining({ version: 1, title: 'Draft one', body: 'alpha', tags: ['x'] }),
    );

    const diff = await api(writer).get(`/api/content/${item.id}/revisions/1/diff/3`).expect(200);
    expect(diff.body).toEqual({
      itemId: item.id,
      from: 1,
      to: 3,
      changes: [
        { field: 'title', from: 'Draft one', to: 'Draft two' },
        { field: 'body', from: 'alpha', to: 'beta' },
        { field: 'excerpt', from: '', to: 'short' },
        { field: 'tags', from: ['x'], to: ['x', 'y'], added: ['y'], removed: [] },
      ],
    });

    const staleRestore = await api(writer)
      .post(`/api/content/${item.id}/revisions/1/restore`)
      .send({ version: 2 });
    expectProblem(staleRestore, 409);
    expect(staleRestore.body.currentVersion).toBe(3);
    const restored = await api(writer)
      .post(`/api/content/${item.id}/revisions/1/restore`)
      .send({ version: 3 })
      .expect(200);
    expect(restored.body).toEqual(
      expect.objectContaining({ version: 4, title: 'Draft one', body: 'alpha', excerpt: '', tags: ['x'] }),
    );
    const same = await api(writer).get(`/api/content/${item.id}/revisions/1/diff/4`).expect(200);
    expect(same.body.changes).toEqual([]);
    expectProblem(await api(writer).get(`/api/content/${item.id}/revisions/99`), 404);
    expectProblem(
      await api(writer).post(`/api/content/${item.id}/revisions/99/restore`).send({ version: 4 }),
      404,
    );

    // The restore reaches the audit log (control-plane consumes the event).
    await expectAudit('content.revision_restored', item.id);
  });

  it('edit locks: held → 423 for others naming holder and expiry, renewable, expiring by themselves', async () => {
    const item = await create({ title: 'Locked' });
    const lock = await api(writer).post(`/api/content/${item.id}/lock`).send({ ttlSeconds: 5 }).expect(200);
    expect(lock.body).toEqual({ lockedBy: 'user_writer', expiresAt: expect.any(String) });

    const blocked = await api(otherWriter)
      .post('/api/content/update')
      .send({ id: item.id, version: 1, body: 'mine' });
    expectProblem(blocked, 423);
    expect(blocked.body).toEqual(
      expect.objectContaining({ lockedBy: 'user_writer', expiresAt: lock.body.expiresAt }),
    );
    expectProblem(await api(otherWriter).post(`/api/content/${item.id}/lock`).send({}), 423);
    expectProblem(await move(item, 'review', otherWriter), 423);
    expectProblem(await api(otherWriter).delete(`/api/content/${item.id}/lock`), 423);
    expect((await api(writer).get(`/api/content/${item.id}`)).body.lock).toEqual(lock.body);

    // The holder edits freely and renews.
    await api(writer)
      .post('/api/content/update')
      .send({ id: item.id, version: 1, body: 'holder' })
      .expect(200);
    const renewed = await api(writer)
      .post(`/api/content/${item.id}/lock`)
      .send({ ttlSeconds: 5 })
      .expect(200);
    expect(Date.parse(renewed.body.expiresAt)).toBeGreaterThanOrEqual(Date.parse(lock.body.expiresAt));

    // Left alone, the lease runs out and the other writer gets in.
    await until(Date.parse(renewed.body.expiresAt) + 300);
    expect((await api(writer).get(`/api/content/${item.id}`)).body.lock).toBeNull();
    await api(otherWriter)
      .post('/api/content/update')
      .send({ id: item.id, version: 2, body: 'other' })
      .expect(200);
    const taken = await api(otherWriter).post(`/api/content/${item.id}/lock`).send({}).expect(200);
    expect(taken.body.lockedBy).toBe('user_other');
    await api(otherWriter).delete(`/api/content/${item.id}/lock`).expect(204);
    expect((await api(writer).get(`/api/content/${item.id}`)).body.lock).toBeNull();
  });

  it('lets an org admin break another user’s lock, and audits it', async () => {
    const item = await create({ title: 'Break me' });
    await api(writer).post(`/api/content/${item.id}/lock`).send({}).expect(200);
    expectProblem(
      await api(otherWriter).post('/api/content/update').send({ id: item.id, version: 1, body: 'x' }),
      423,
    );
    await api(admin).delete(`/api/content/${item.id}/lock`).expect(204);
    await api(otherWriter)
      .post('/api/content/update')
      .send({ id: item.id, version: 1, body: 'x' })
      .expect(200);
    const entry = await expectAudit('content.lock_broken', item.id);
    expect(entry).toEqual(
      expect.objectContaining({ actorId: 'user_admin', category: 'admin', targetType: 'content_item' }),
    );
    expect(entry.metadata).toEqual(expect.objectContaining({ holder: 'user_writer' }));
  });

  it('soft-deletes (gone from reads and lists) and restores', async () => {
    const item = await create({ title: 'Deletable' });
    await api(writer).delete(`/api/content/${item.id}`).expect(204);
    expectProblem(await api(writer).get(`/api/content/${item.id}`), 404);
    const list = await api(writer).get('/api/content?q=deletable').expect(200);
    expect(list.body.items).toEqual([]);
    expectProblem(await api(writer).delete(`/api/content/${item.id}`), 404);
    const restored = await api(writer).post(`/api/content/${item.id}/restore`).expect(200);
    expect(restored.body).toEqual(expect.objectContaining({ id: item.id, status: 'draft', version: 3 }));
    expectProblem(await api(writer).post(`/api/content/${item.id}/restore`), 409);
    await api(writer).get(`/api/content/${item.id}`).expect(200);
  });

  it('filters the list by status, title words and tags, and sorts by updatedAt on request', async () => {
    const filters = await seedTenant(platform, 'filter');
    const token = await filters.token('user_filter', ['content:read', 'content:write', 'org:admin']);
    const filterDomain = filters.domainId;
    const make = async (title: string, tags: string[]) =>
      (await api(token).post('/api/content').send({ domainId: filterDomain, title, tags }).expect(201))
        .body as Item;
    const a = await make('Summer recipes', ['food', 'summer']);
    const b = await make('Winter recipes', ['food', 'winter']);
    const c = await make('Summer travel 100%', ['travel', 'summer']);
    await api(token).post(`/api/content/${a.id}/transitions`).send({ to: 'review', version: 1 }).expect(200);

    const ids = async (query: string) =>
      (
        (await api(token).get(`/api/content?domainId=${filterDomain}&${query}`).expect(200)).body
          .items as Item[]
      ).map((item) => item.id);
    expect(await ids('')).toEqual([c.id, b.id, a.id]);
    expect(await ids('status=review')).toEqual([a.id]);
    expect(await ids('q=RECIPES')).toEqual([b.id, a.id]);
    expect(await ids('q=100%25')).toEqual([c.id]);
    expect(await ids('tags=summer')).toEqual([c.id, a.id]);
    expect(await ids('tags=summer,food')).toEqual([a.id]);
    expect(await ids('sort=updatedAt')).toEqual([a.id, c.id, b.id]);
    expectProblem(await api(token).get('/api/content?sort=title'), 400);
    expectProblem(await api(token).get('/api/content?status=live'), 400);
  });

  it('answers another org’s item exactly like a missing one (404), and never lists it', async () => {
    const item = await create({ title: 'Private' });
    const them = api(stranger);
    for (const res of [
      await them.get(`/api/content/${item.id}`),
      await them.post('/api/content/update').send({ id: item.id, version: 1, title: 'mine' }),
      await them.post(`/api/content/${item.id}/transitions`).send({ to: 'review', version: 1 }),
      await them.post(`/api/content/${item.id}/lock`).send({}),
      await them.delete(`/api/content/${item.id}/lock`),
      await them.delete(`/api/content/${item.id}`),
      await them.post(`/api/content/${item.id}/restore`),
      await them.get(`/api/content/${item.id}/revisions`),
      await them.get(`/api/content/${item.id}/revisions/1`),
      await them.get(`/api/content/${item.id}/revisions/1/diff/1`),
      await them.post(`/api/content/${item.id}/revisions/1/restore`).send({ version: 1 }),
      await them.get(`/api/content/${item.id}/events`),
      await them.get('/api/content/00000000-0000-4000-8000-000000000000'),
      await them.get('/api/content/not-a-uuid'),
    ]) {
      expectProblem(res, 404);
    }
    expectProblem(await them.post('/api/content').send({ domainId, title: 'Into your domain' }), 404);
    expectProblem(await them.get(`/api/content?domainId=${domainId}`), 404);
    const theirs = await them.get('/api/content').expect(200);
    expect(theirs.body.items).toEqual([]);
    expect((await api(writer).get(`/api/content/${item.id}`)).body.version).toBe(1);
  });

  it('refuses bad input with a 400 (413 when too large) problem and changes nothing', async () => {
    const item = await create({ title: 'Bad input' });
    const cases: [string, () => request.Test, number][] = [
      ['unknown field', () => api(writer).post('/api/content').send({ title: 'x', rogue: 1 }), 400],
      ['missing title', () => api(writer).post('/api/content').send({ body: 'x' }), 400],
      ['bad slug', () => api(writer).post('/api/content').send({ title: 'x', slug: 'Not A Slug' }), 400],
      [
        'tags not strings',
        () =>
          api(writer)
            .post('/api/content')
            .send({ title: 'x', tags: [1] }),
        400,
      ],
      [
        'version as a string',
        () => api(writer).post('/api/content/update').send({ id: item.id, version: '1', title: 'y' }),
        400,
      ],
      [
        'version not an integer',
        () => api(writer).post('/api/content/update').send({ id: item.id, version: 1.5, title: 'y' }),
        400,
      ],
      [
        'nothing to change',
        () => api(writer).post('/api/content/update').send({ id: item.id, version: 1 }),
        400,
      ],
      ['unknown status', () => move(item, 'live', writer), 400],
      [
        'invalid scheduledFor',
        () => move(item, 'scheduled', reviewer, { scheduledFor: '2026-13-45T99:00:00Z' }),
        400,
      ],
      ['garbage cursor', () => api(writer).get('/api/content?cursor=%%%garbage'), 400],
      [
        'well-formed garbage cursor',
        () => api(writer).get(`/api/content?cursor=${Buffer.from('[1,2]').toString('base64url')}`),
        400,
      ],
      ['revision not a number', () => api(writer).get(`/api/content/${item.id}/revisions/abc`), 400],
      ['diff of non-numbers', () => api(writer).get(`/api/content/${item.id}/revisions/x/diff/1`), 400],
      [
        'lock ttl too long',
        () => api(writer).post(`/api/content/${item.id}/lock`).send({ ttlSeconds: 99999 }),
        400,
      ],
      ['limit too high', () => api(writer).get('/api/content?limit=1000'), 400],
      [
        'oversized body',
        () =>
          api(writer)
            .post('/api/content')
            .send({ title: 'big', body: 'x'.repeat(70_000) }),
        413,
      ],
      [
        'not JSON',
        () => api(writer).post('/api/content').set('Content-Type', 'application/json').send('{"title":'),
        400,
      ],
    ];
    for (const [name, send, status] of cases) {
      const res = await send();
      try {
        expectProblem(res, status);
      } catch (error) {
        throw new Error(`${name}: ${(error as Error).message}\n${JSON.stringify(res.body)}`);
      }
    }
    const after = await api(writer).get(`/api/content/${item.id}`).expect(200);
    expect(after.body).toEqual(item);
  });

  it('replays a create with the same Idempotency-Key instead of making a second item', async () => {
    const key = `content-${Date.now()}`;
    const first = await api(writer)
      .post('/api/content')
      .set('Idempotency-Key', key)
      .send({ title: 'Once' })
      .expect(201);
    const again = await api(writer)
      .post('/api/content')
      .set('Idempotency-Key', key)
      .send({ title: 'Once' })
      .expect(201);
    expect(again.body.id).toBe(first.body.id);
    const found = await api(writer).get('/api/content?q=once').expect(200);
    expect(found.body.items).toHaveLength(1);
  });

  async function expectAudit(
    action: string,
    targetId: string,
  ): Promise<{ actorId: string; metadata: Record<string, unknown> }> {
    return eventually(
      async () => {
        const log = await api(admin).get(`/api/audit-logs?action=${action}`).expect(200);
        const entry = log.body.items.find((e: { targetId: string }) => e.targetId === targetId);
        if (!entry) throw new Error(`no ${action} audit entry for ${targetId}`);
        return entry;
      },
      { timeoutMs: 15_000, intervalMs: 200 },
    );
  }
});
