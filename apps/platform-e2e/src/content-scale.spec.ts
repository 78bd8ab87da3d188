import { eventually, inPool, until } from '@smartbeak/testing';
import { Client } from 'pg';
import request from 'supertest';

import { Platform } from './platform';

interface Item {
  id: string;
  status: string;
  version: number;
  createdAt: string;
  scheduledFor: string | null;
  publishedAt: string | null;
  coldSince: string | null;
}

describe('content at scale: pagination, scheduled publishing with two replicas, rebuild, retention', () => {
  let platform: Platform;
  let db: Client;
  let writer: string;
  let reviewer: string;
  let domainId: string;

  beforeAll(async () => {
    platform = await Platform.start({
      services: ['content'],
      // Sweeps often enough for a test to watch them; retention thresholds stay in days.
      contentEnv: { CONTENT_RETENTION_EVERY_MS: '1000', CONTENT_DUE_SWEEP_EVERY_MS: '1000' },
      // 1,000 items made at once on a loaded box: this spec is about paging and sweeps, not latency.
      gatewayEnv: { RPC_TIMEOUT_MS: '10000' },
    });
    const admin = await platform.token({
      userId: 'user_admin',
      orgId: 'org_scale',
      permissions: ['org:admin'],
    });
    domainId = (
      await request(platform.url)
        .post('/api/domains')
        .set('Authorization', `Bearer ${admin}`)
        .send({ name: 'Scale', hostname: 'scale.example' })
        .expect(201)
    ).body.id;
    writer = await platform.token({
      userId: 'user_writer',
      orgId: 'org_scale',
      permissions: ['content:read', 'content:write'],
      domainId,
    });
    reviewer = await platform.token({
      userId: 'user_reviewer',
      orgId: 'org_scale',
      permissions: ['content:read', 'content:write', 'content:review'],
      domainId,
    });
    db = new Client({ connectionString: platform.contentDb.url });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await platform?.stop();
  });

  const post = (path: string, token = writer) =>
    request(platform.url).post(path).set('Authorization', `Bearer ${token}`);
  const get = (path: string, token = writer) =>
    request(platform.url).get(path).set('Authorization', `Bearer ${token}`);

  const create = async (title: string): Promise<Item> => {
    const res = await post('/api/content').send({ title, body: `<p>${title}</p>`, tags: ['scale'] });
    if (res.status !== 201) throw new Error(`create ${title}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };

  it('pages through 1,000 items newest first with no gap and no repeat while others are being inserted', async () => {
    const existing = await inPool(
      Array.from({ length: 1000 }, (_, i) => `Item ${i}`),
      16,
      create,
    );
    const expected = new Set(existing.map((item) => item.id));

    let inserting = true;
    const inserted: string[] = [];
    const writerLoop = (async () => {
      for (let i = 0; inserting; i++) inserted.push((await create(`Late ${i}`)).id);
    })();

    const seen: Item[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { body: { items: Item[]; nextCursor: string | null } } = await get(
        `/api/content?limit=37${cursor ? `&cursor=${cursor}` : ''}`,
      ).expect(200);
      seen.push(...res.body.items);
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    inserting = false;
    await writerLoop;

    const ids = seen.map((item) => item.id);
    expect(new Set(ids).size).toBe(ids.length); // no repeats
    for (const id of expected) expect(ids).toContain(id); // no gaps
    expect(inserted.length).toBeGreaterThan(0); // inserts really ran alongside
    expect(pages).toBeGreaterThanOrEqual(28);
    // Strictly newest first on (createdAt, id).
    for (let i = 1; i < seen.length; i++) {
      const [a, b] = [seen[i - 1] as Item, seen[i] as Item];
      const order = a.createdAt === b.createdAt ? a.id > b.id : a.createdAt > b.createdAt;
      expect(order).toBe(true);
    }
  });

  it('publishes a scheduled item once, at its time and not before, with two content replicas', async () => {
    await platform.startContentReplica();
    expect(platform.content).toHaveLength(2);
    const at = new Date(Date.now() + 4_000);
    const scheduled = await inPool(
      Array.from({ length: 6 }, (_, i) => `Scheduled ${i}`),
      6,
      async (title) => {
        const item = await create(title);
        const review = await post(`/api/content/${item.id}/transitions`)
          .send({ to: 'review', version: 1 })
          .expect(200);
        return (
          await post(`/api/content/${item.id}/transitions`, reviewer)
            .send({ to: 'scheduled', version: review.body.version, scheduledFor: at.toISOString() })
            .expect(200)
        ).body as Item;
      },
    );
    // Not before its time.
    await until(at.getTime() - 1_500);
    for (const item of scheduled)
      expect((await get(`/api/content/${item.id}`).expect(200)).body.status).toBe('scheduled');

    for (const item of scheduled) {
      const current: Item = await eventually(
        async () => {
          const now = (await get(`/api/content/${item.id}`).expect(200)).body;
          expect(now.status).toBe('published');
          return now;
        },
        { timeoutMs: 20_000, intervalMs: 200 },
      );
      expect(Date.parse(current.publishedAt!)).toBeGreaterThanOrEqual(at.getTime());
      expect(current.scheduledFor).toBeNull();
    }
    // Give any second attempt (the other replica, the overdue sweep) time to misbehave, then count.
    await until(Date.now() + 2_500);
    for (const item of scheduled) {
      const events = (await get(`/api/content/${item.id}/events?limit=100`).expect(200)).body.items as {
        type: string;
        payload: { actor: string };
      }[];
      const published = events.filter((event) => event.type === 'content.item.published');
      expect(published).toHaveLength(1);
      expect(published[0]?.payload.actor).toBe('system');
    }
  });

  it('publishes an overdue scheduled item whose job was lost', async () => {
    const item = await create('Lost job');
    const review = await post(`/api/content/${item.id}/transitions`)
      .send({ to: 'review', version: 1 })
      .expect(200);
    const scheduled = await post(`/api/content/${item.id}/transitions`, reviewer)
      .send({
        to: 'scheduled',
        version: review.body.version,
        scheduledFor: new Date(Date.now() + 60_000).toISOString(),
      })
      .expect(200);
    // As if Redis lost the delayed job and the time came: only the sweep is left to notice.
    await db.query(`UPDATE content_items SET scheduled_for = now() - interval '1 second' WHERE id = $1`, [
      item.id,
    ]);
    expect(scheduled.body.status).toBe('scheduled');
    await eventually(
      async () => expect((await get(`/api/content/${item.id}`).expect(200)).body.status).toBe('published'),
      {
        timeoutMs: 15_000,
        intervalMs: 250,
      },
    );
  });

  it('rebuilds the read model from the event store into exactly what was there, and repairs drift', async () => {
    // Some history beyond creates: updates, a delete, a restore.
    const [a, b] = await inPool(['Rebuild A', 'Rebuild B'], 2, create);
    await post('/api/content/update')
      .send({ id: a!.id, version: 1, title: 'Rebuild A2', tags: ['x', 'y'] })
      .expect(200);
    await request(platform.url)
      .delete(`/api/content/${b!.id}`)
      .set('Authorization', `Bearer ${writer}`)
      .expect(204);

    // The overdue test above edited a row by hand (scheduled_for); put it back the way events say.
    await platform.contentCommand('rebuild-read-model');

    const snapshot = async () => (await db.query(`SELECT * FROM content_items ORDER BY id`)).rows;
    const before = await snapshot();
    expect(before.length).toBeGreaterThan(1000);

    const check = await platform.contentCommand('rebuild-read-model', '--check');
    expect(check.output).toMatch(/"differences":0/);
    expect(check.code).toBe(0);

    // Drift: a changed row, a missing row, a stray row.
    await db.query(`UPDATE content_items SET title = 'tampered', version = 999 WHERE id = $1`, [a!.id]);
    await db.query(`DELETE FROM content_items WHERE id = $1`, [before[5].id]);
    await db.query(
      `INSERT INTO content_items SELECT gen_random_uuid(), org_id, domain_id, title, slug || '-stray', body, excerpt, tags,
              status, version, scheduled_for, published_at, created_by, updated_by, created_at, updated_at, deleted_at, cold_at
         FROM content_items WHERE id = $1`,
      [before[7].id],
    );
    const drift = await platform.contentCommand('rebuild-read-model', '--check');
    expect(drift.output).toMatch(/"differences":3/);
    expect(drift.code).toBe(1);

    const rebuilt = await platform.contentCommand('rebuild-read-model');
    expect(rebuilt.code).toBe(0);
    expect(await snapshot()).toEqual(before);
  });

  it('applies retention: idle drafts archived, old archives marked cold, old deletions purged with their history', async () => {
    const [idle, old, gone] = await inPool(['Idle draft', 'Long archived', 'Long deleted'], 3, create);
    // Age them as if months had passed (the sweep runs every second in this platform).
    await db.query(`UPDATE content_items SET updated_at = now() - interval '91 days' WHERE id = $1`, [
      idle!.id,
    ]);
    await db.query(
      `UPDATE content_items SET status = 'archived', updated_at = now() - interval '366 days' WHERE id = $1`,
      [old!.id],
    );
    await request(platform.url)
      .delete(`/api/content/${gone!.id}`)
      .set('Authorization', `Bearer ${writer}`)
      .expect(204);
    await db.query(`UPDATE content_items SET deleted_at = now() - interval '31 days' WHERE id = $1`, [
      gone!.id,
    ]);

    await eventually(
      async () => {
        expect(((await get(`/api/content/${idle!.id}`)).body as Item).status).toBe('archived');
        expect(((await get(`/api/content/${old!.id}`)).body as Item).coldSince).toEqual(expect.any(String));
        expect((await db.query(`SELECT 1 FROM content_items WHERE id = $1`, [gone!.id])).rowCount).toBe(0);
      },
      { timeoutMs: 20_000, intervalMs: 300 },
    );
    // Purged means gone everywhere: events and revisions too, and the API cannot restore it.
    for (const table of ['content_events WHERE aggregate_id', 'content_revisions WHERE item_id']) {
      expect((await db.query(`SELECT 1 FROM ${table} = $1`, [gone!.id])).rowCount).toBe(0);
    }
    expect((await post(`/api/content/${gone!.id}/restore`)).status).toBe(404);
    const purged = await db.query(`SELECT type FROM outbox WHERE aggregate_id = $1`, [gone!.id]);
    expect(purged.rows).toEqual([{ type: 'content.item.purged' }]);
    // The idle draft's archive is a real event, by the system.
    const events = (await get(`/api/content/${idle!.id}/events`).expect(200)).body.items as {
      type: string;
      payload: { actor: string; reason: string };
    }[];
    expect(events.at(-1)).toEqual(
      expect.objectContaining({
        type: 'content.item.archived',
        payload: expect.objectContaining({ actor: 'system', reason: expect.stringMatching(/idle/) }),
      }),
    );
  });
});
