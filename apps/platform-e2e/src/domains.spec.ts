import { eventually, uniqueName } from '@smartbeak/testing';
import request from 'supertest';

import { expectProblem, Platform } from './platform';

describe('domains and the audit log through the gateway', () => {
  let platform: Platform;
  let admin: string;

  beforeAll(async () => {
    platform = await Platform.shared();
    admin = await platform.token({ userId: 'user_admin', orgId: 'org_dom', permissions: ['org:admin'] });
  });
  afterAll(() => platform?.stop());

  const post = (path: string, token: string) =>
    request(platform.url).post(path).set('Authorization', `Bearer ${token}`);
  const get = (path: string, token: string) =>
    request(platform.url).get(path).set('Authorization', `Bearer ${token}`);

  it('creates a domain (hostname normalised), reads it back and refuses a second one with the same hostname', async () => {
    const created = await post('/api/domains', admin)
      .send({ name: '  Main site ', hostname: 'WWW.Example.COM.' })
      .expect(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      orgId: 'org_dom',
      name: 'Main site',
      hostname: 'www.example.com',
      status: 'active',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const read = await get(`/api/domains/${created.body.id}`, admin).expect(200);
    expect(read.body).toEqual(created.body);

    const again = await post('/api/domains', admin).send({ name: 'Dup', hostname: 'www.example.com' });
    expectProblem(again, 409);
    expect(again.body.errors).toEqual([{ field: 'hostname', message: expect.any(String) }]);
  });

  it('suspends a domain (no new work in it: 403) and resumes it, for org admins only, in the audit log', async () => {
    const orgId = uniqueName('org_suspend');
    const orgAdmin = await platform.token({ userId: 'user_admin', orgId, permissions: ['org:admin'] });
    const writer = await platform.token({ userId: 'user_writer', orgId, permissions: ['content:write'] });
    const domain = (
      await post('/api/domains', orgAdmin).send({
        name: 'Paused',
        hostname: `${orgId.replace(/_/g, '-')}.example.com`,
      })
    ).body as { id: string };
    const write = () => post('/api/content', writer).send({ domainId: domain.id, title: 'In a paused site' });

    expectProblem(await post(`/api/domains/${domain.id}/suspend`, writer), 403);
    const suspended = await post(`/api/domains/${domain.id}/suspend`, orgAdmin).expect(200);
    expect(suspended.body).toEqual(expect.objectContaining({ id: domain.id, status: 'suspended' }));
    // Again: nothing changes.
    expect((await post(`/api/domains/${domain.id}/suspend`, orgAdmin).expect(200)).body.status).toBe(
      'suspended',
    );
    expectProblem(await write(), 403);
    // Another org's admin: the domain does not exist for them.
    const stranger = await platform.token({
      userId: 'user_admin',
      orgId: uniqueName('org_else'),
      permissions: ['org:admin'],
    });
    expectProblem(await post(`/api/domains/${domain.id}/resume`, stranger), 404);

    expect((await post(`/api/domains/${domain.id}/resume`, orgAdmin).expect(200)).body.status).toBe('active');
    // Services remember a suspended domain for a few seconds at most.
    await eventually(async () => expect((await write()).status).toBe(201), { timeoutMs: 15_000 });
    const audit = await get('/api/audit-logs?category=admin&limit=10', orgAdmin).expect(200);
    const actions = (audit.body.items as { action: string }[]).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['domain.suspended', 'domain.resumed']));
    expect(actions.filter((a) => a === 'domain.suspended')).toHaveLength(1);
  });

  it('lets another org register the same hostname', async () => {
    const other = await platform.token({ userId: 'user_x', orgId: 'org_other', permissions: ['org:admin'] });
    await post('/api/domains', other).send({ name: 'Same', hostname: 'shared.example.com' }).expect(201);
    await post('/api/domains', admin).send({ name: 'Same', hostname: 'shared.example.com' }).expect(201);
  });

  it('pages through domains with a cursor, newest first, without gaps or repeats', async () => {
    const token = await platform.token({ userId: 'user_p', orgId: 'org_pages', permissions: ['org:admin'] });
    const ids: string[] = [];
    for (let i = 0; i < 23; i++) {
      const res = await post('/api/domains', token)
        .send({ name: `Site ${i}`, hostname: `site${i}.example.org` })
        .expect(201);
      ids.push(res.body.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { items: { id: string }[]; nextCursor: string | null } } = await get(
        `/api/domains?limit=10${cursor ? `&cursor=${cursor}` : ''}`,
        token,
      ).expect(200);
      expect(res.body.items.length).toBeLessThanOrEqual(10);
      seen.push(...res.body.items.map((d) => d.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
  });

  it('records every admin write in the audit log, newest first, for admins only', async () => {
    const created = await post('/api/domains', admin)
      .send({ name: 'Audited', hostname: 'audited.example.com' })
      .expect(201);
    const log = await get('/api/audit-logs?limit=5', admin).expect(200);
    expect(log.body.items[0]).toEqual(
      expect.objectContaining({
        action: 'domain.created',
        category: 'admin',
        actorId: 'user_admin',
        targetId: created.body.id,
        requestId: expect.any(String),
      }),
    );
    const reader = await platform.token({
      userId: 'user_r',
      orgId: 'org_dom',
      permissions: ['content:read'],
    });
    expectProblem(await get('/api/audit-logs', reader), 403);
  });

  describe('bad input is a 4xx problem, never a 500', () => {
    it.each([
      ['an unknown field', { name: 'x', hostname: 'ok.example.com', admin: true }, 'admin'],
      ['a wrong type', { name: 42, hostname: 'ok.example.com' }, 'name'],
      ['a missing field', { name: 'x' }, 'hostname'],
      ['a hostname that is not one', { name: 'x', hostname: 'not a host' }, 'hostname'],
      ['an array instead of an object', [1, 2], undefined],
    ])('400 for %s', async (_label, body, field) => {
      const res = await post('/api/domains', admin).send(body as object);
      expectProblem(res, 400);
      if (field)
        expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    });

    it('400 for bad JSON', async () => {
      const res = await post('/api/domains', admin)
        .set('Content-Type', 'application/json')
        .send('{"name": "x",');
      expectProblem(res, 400);
    });

    it('413 for a body over the limit', async () => {
      const res = await post('/api/domains', admin).send({
        name: 'x'.repeat(70_000),
        hostname: 'big.example.com',
      });
      expectProblem(res, 413);
    });

    it('415 for a body that is not JSON', async () => {
      const res = await post('/api/domains', admin).set('Content-Type', 'text/plain').send('name=x');
      expectProblem(res, 415);
    });

    it.each(['limit=0', 'limit=101', 'limit=abc', 'cursor=!!!', 'cursor=bm90LWEtY3Vyc29y', 'status=gone'])(
      '400 for a bad query (%s)',
      async (query) => {
        expectProblem(await get(`/api/domains?${query}`, admin), 400);
      },
    );

    it('404 problem for an unknown route', async () => {
      expectProblem(await get('/api/no-such-thing', admin), 404);
    });
  });

  it('honours Idempotency-Key: same key and body → the first result; another body → 422', async () => {
    const body = { name: 'Once', hostname: 'once.example.com' };
    const first = await post('/api/domains', admin)
      .set('Idempotency-Key', 'create-once-1')
      .send(body)
      .expect(201);
    const replay = await post('/api/domains', admin)
      .set('Idempotency-Key', 'create-once-1')
      .send(body)
      .expect(201);
    expect(replay.body).toEqual(first.body);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expectProblem(
      await post('/api/domains', admin)
        .set('Idempotency-Key', 'create-once-1')
        .send({ ...body, name: 'Other' }),
      422,
    );

    // A failed first attempt frees its key: the corrected request goes through.
    expectProblem(
      await post('/api/domains', admin)
        .set('Idempotency-Key', 'create-once-2')
        .send({ name: 'x', hostname: 'once.example.com' }),
      409,
    );
    await post('/api/domains', admin)
      .set('Idempotency-Key', 'create-once-2')
      .send({ name: 'x', hostname: 'twice.example.com' })
      .expect(201);

    // Keys belong to their caller: another user's identical key is a new request.
    const colleague = await platform.token({
      userId: 'user_colleague',
      orgId: 'org_dom',
      permissions: ['org:admin'],
    });
    expectProblem(
      await post('/api/domains', colleague).set('Idempotency-Key', 'create-once-1').send(body),
      409,
    );

    expectProblem(
      await post('/api/domains', admin).set('Idempotency-Key', 'bad key with spaces').send(body),
      400,
    );
  });

  it('echoes x-request-id, or makes one', async () => {
    const echoed = await get('/api/me', admin).set('x-request-id', 'trace-abc-123').expect(200);
    expect(echoed.headers['x-request-id']).toBe('trace-abc-123');
    const made = await get('/api/me', admin).expect(200);
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves OpenAPI, metrics and health probes', async () => {
    const spec = await request(platform.url).get('/api/docs/openapi.json').expect(200);
    expect(Object.keys(spec.body.paths)).toEqual(
      expect.arrayContaining(['/api/me', '/api/domains', '/api/domains/{id}', '/api/audit-logs']),
    );
    // Metrics are for the cluster's Prometheus, on an internal port: the public one does not serve them.
    await request(platform.url).get('/metrics').expect(404);
    await request(platform.url).get('/api/metrics').expect(404);
    const metrics = await request(platform.metricsUrl.replace(/\/metrics$/, ''))
      .get('/metrics')
      .expect(200);
    expect(metrics.text).toMatch(
      /smartbeak_rpc_client_duration_seconds_count\{pattern="control-plane.me.get",outcome="ok"\}/,
    );
    await request(platform.url).get('/health/live').expect(200);
    await request(platform.url).get('/health/ready').expect(200);
    await request(platform.controlPlaneUrl).get('/health/ready').expect(200);
    const cpMetrics = await request(platform.controlPlaneUrl).get('/metrics').expect(200);
    expect(cpMetrics.text).toMatch(
      /smartbeak_rpc_server_duration_seconds_count\{pattern="control-plane.domain.create",outcome="ok"\}/,
    );
  });
});
