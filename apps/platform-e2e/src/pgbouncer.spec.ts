// PostgreSQL at scale: the services behind PgBouncer in transaction mode
// (Debian's 1.18: no prepared statements across transactions). With
// DATABASE_POOLER=pgbouncer nothing relies on session state: migrations, the
// API, the outbox relay (LISTEN on a direct URL for content, polling alone for
// publishing) and a publishing job all work through it.
import {
  createTestDatabase,
  eventually,
  FakeWordPress,
  inPool,
  type PgBouncer,
  spawnApp,
  startPgBouncer,
  type TestDatabase,
} from '@smartbeak/testing';
import request from 'supertest';

import { Platform, seedTenant } from './platform';

describe('behind PgBouncer (transaction pooling)', () => {
  let bouncer: PgBouncer;
  let wordpress: FakeWordPress;
  let platform: Platform;
  let token: string;

  beforeAll(async () => {
    bouncer = await startPgBouncer({ poolSize: 4 });
    wordpress = await new FakeWordPress().start();
    platform = await Platform.start({
      services: ['content', 'publishing'],
      databaseEnv: (service, url) => ({
        DATABASE_URL: bouncer.through(url),
        DATABASE_POOLER: 'pgbouncer',
        DATABASE_PREPARED_STATEMENTS: 'false',
        // Content's relay listens on a direct connection; publishing's only polls.
        ...(service === 'content' ? { DATABASE_LISTEN_URL: url } : {}),
      }),
    });
    const tenant = await seedTenant(platform, 'pooled');
    token = await tenant.token(
      'user_editor',
      ['content:read', 'content:write', 'content:review', 'content:publish', 'publishing:write'],
      { expiresIn: 3600 },
    );
  }, 120_000);

  afterAll(async () => {
    await platform?.stop();
    await wordpress?.close();
    bouncer?.stop();
  });

  const post = (path: string) => request(platform.url).post(path).set('Authorization', `Bearer ${token}`);
  const get = (path: string) => request(platform.url).get(path).set('Authorization', `Bearer ${token}`);

  describe('migrations', () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await createTestDatabase('pooled');
    });
    afterAll(() => db?.drop());

    const migrate = async (env: Record<string, string>) => {
      const run = spawnApp(
        'content',
        {
          DATABASE_URL: bouncer.through(db.url),
          REDIS_URL: 'redis://127.0.0.1:1',
          LOG_LEVEL: 'info',
          ...env,
        },
        ['migrate'],
      );
      const code = await new Promise<number | null>((resolve) => run.child.once('close', resolve));
      return { code, output: run.tail(60) };
    };

    it('refuses the session settings of a direct connection (why DATABASE_POOLER exists)', async () => {
      const { code, output } = await migrate({});
      expect(code).not.toBe(0);
      expect(output).toMatch(/unsupported startup parameter/);
    });

    it('apply through the pooler with DATABASE_POOLER=pgbouncer', async () => {
      const { code, output } = await migrate({
        DATABASE_POOLER: 'pgbouncer',
        DATABASE_PREPARED_STATEMENTS: 'false',
      });
      expect({ code, output }).toEqual({ code: 0, output: expect.stringMatching(/applied \d+ migration/) });
    });
  });

  it('serves 120 concurrent writes and reads through 4 server connections per database', async () => {
    const results = await inPool(
      Array.from({ length: 60 }, (_, i) => i),
      30,
      async (i) => {
        const created = await post('/api/content').send({ title: `Pooled ${i}`, body: '<p>p</p>' });
        const read = created.status === 201 ? await get(`/api/content/${created.body.id}`) : created;
        return [created.status, read.status];
      },
    );
    expect(results.flat().filter((status) => status >= 300)).toEqual([]);
    const list = await get('/api/content?limit=100').expect(200);
    expect(
      list.body.items.filter((item: { title: string }) => item.title.startsWith('Pooled ')),
    ).toHaveLength(60);
  });

  it('runs a publishing job and relays events with the pooler in between', async () => {
    const target = (
      await post('/api/publishing/targets')
        .send({
          type: 'wordpress',
          name: 'pooled site',
          config: wordpress.targetConfig(),
        })
        .expect(201)
    ).body;
    const direct = (await post('/api/content').send({ title: 'Direct job', body: '<p>d</p>' }).expect(201))
      .body;
    await post(`/api/content/${direct.id}/transitions`).send({ to: 'review', version: 1 }).expect(200);
    const job = (
      await post('/api/publishing/jobs')
        .send({ contentId: direct.id, targetIds: [target.id] })
        .expect(202)
    ).body;
    // A scheduled item: content's relay (LISTEN) → publishing's consumer → a job (publishing's relay polls).
    const scheduled = (
      await post('/api/content').send({ title: 'Scheduled pooled', body: '<p>s</p>' }).expect(201)
    ).body;
    await post(`/api/content/${scheduled.id}/transitions`).send({ to: 'review', version: 1 }).expect(200);
    await post(`/api/content/${scheduled.id}/transitions`)
      .send({ to: 'scheduled', version: 2, scheduledFor: new Date(Date.now() + 1_000).toISOString() })
      .expect(200);
    await eventually(
      async () => {
        expect((await get(`/api/publishing/jobs/${job.id}`).expect(200)).body.state).toBe('completed');
        const auto = (await get(`/api/publishing/jobs?contentId=${scheduled.id}`).expect(200)).body.items;
        expect(auto.map((entry: { state: string }) => entry.state)).toEqual(['completed']);
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    const titles = [...wordpress.posts.values()].map((entry) => entry.title);
    expect(titles.filter((title) => title === 'Direct job')).toHaveLength(1);
    expect(titles.filter((title) => title === 'Scheduled pooled')).toHaveLength(1);
  });
});
