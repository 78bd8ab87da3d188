import { Queue } from 'bullmq';

import { eventually, FakeWordPress, testInfra, uniqueName } from '@smartbeak/testing';
import request from 'supertest';

import { asUser, caught, openStream, wordPressJob } from './notify';
import { expectProblem, Platform, seedTenant, type Tenant } from './platform';
import { bullPrefix } from '@smartbeak/messaging';

describe('notifications: events become messages on every channel, for the right people only', () => {
  let platform: Platform;
  let tenant: Tenant;
  let other: Tenant;
  let wordpress: FakeWordPress;
  const creator = uniqueName('user_creator');
  const bystander = uniqueName('user_bystander');
  const email = `${creator}@example.com`;
  const phone = '+14155550123';
  const fcmToken = `fcm-${uniqueName('token').replace(/_/g, '-')}-${'x'.repeat(24)}`;
  let creatorToken: string;

  const api = (token: string) => asUser(platform, token);
  const failingJob = (token: string, title: string) =>
    wordPressJob(api(token), wordpress, title, 'wrong pass word 1234');

  beforeAll(async () => {
    platform = await Platform.shared();
    wordpress = await new FakeWordPress().start();
    tenant = await seedTenant(platform, 'notify');
    other = await seedTenant(platform, 'notify_other');
    creatorToken = await tenant.token(
      creator,
      ['content:read', 'content:write', 'content:review', 'content:publish', 'publishing:write'],
      { extraClaims: { email } },
    );
  });
  afterAll(async () => {
    await wordpress?.close();
  });

  it('a publishing failure reaches its creator by email, SMS, push, the inbox and the live stream — nobody else', async () => {
    // Members become known to control-plane (with their email and permissions) when they use the API.
    await api(creatorToken).get('/api/me').expect(200);
    const bystanderToken = await tenant.token(bystander, ['content:read'], {
      extraClaims: { email: `${bystander}@example.com` },
    });
    await api(bystanderToken).get('/api/me').expect(200);
    const outsiderToken = await other.token(creator, ['org:admin'], { extraClaims: { email } });
    await api(outsiderToken).get('/api/me').expect(200);

    await api(creatorToken).put('/api/notifications/preferences').send({ phone }).expect(200);
    await api(creatorToken)
      .post('/api/notifications/devices')
      .send({ kind: 'fcm', token: fcmToken })
      .expect(201);
    const stream = openStream(`${platform.url}/api/notifications/stream`, creatorToken);
    await stream.opened;
    expect(stream.status()).toBe(200);

    const job = { id: await failingJob(creatorToken, 'Launch <day>') };

    const inbox = await eventually(
      async () => {
        const res = await api(creatorToken).get('/api/notifications').expect(200);
        const found = res.body.items.find((n: { link: string }) => n.link === `/publishing/jobs/${job.id}`);
        if (!found) throw new Error('not in the inbox yet');
        return found;
      },
      { timeoutMs: 20_000 },
    );
    expect(inbox).toEqual(
      expect.objectContaining({
        type: 'publishing.job.failed',
        title: 'Publishing failed: “Launch <day>”',
        critical: true,
        readAt: null,
      }),
    );

    const mail = await eventually(
      async () => {
        const found = (await caught({ to: email, channel: 'email' })).filter(
          (m) => m.subject === inbox.title,
        );
        if (!found.length) throw new Error('no email yet');
        return found;
      },
      { timeoutMs: 20_000 },
    );
    expect(mail).toHaveLength(1);
    expect(mail[0]!.provider).toBe('smtp');
    expect(mail[0]!.headers?.['list-unsubscribe']).toMatch(/\/api\/notifications\/unsubscribe\?token=/);
    // The title is escaped in the HTML part, and the text part has the link.
    expect(mail[0]!.text).toContain(`/publishing/jobs/${job.id}`);

    const sms = await eventually(
      async () => {
        const found = await caught({ to: phone, channel: 'sms' });
        if (!found.some((m) => m.text.includes(job.id))) throw new Error('no SMS yet');
        return found.filter((m) => m.text.includes(job.id));
      },
      { timeoutMs: 20_000 },
    );
    expect(sms).toHaveLength(1);

    const push = await eventually(
      async () => {
        const found = await caught({ to: fcmToken, channel: 'push' });
        if (!found.length) throw new Error('no push yet');
        return found;
      },
      { timeoutMs: 20_000 },
    );
    expect(push).toEqual([expect.objectContaining({ provider: 'fcm', subject: inbox.title })]);

    // Analytics counts what was sent: one email, one SMS, one push (notifications.sent, by their events).
    const analyst = await tenant.token('user_analyst', ['analytics:read'], { domainId: undefined });
    const range = `from=${new Date(Date.now() - 86_400_000).toISOString()}&to=${new Date(Date.now() + 3_600_000).toISOString()}`;
    await eventually(
      async () => {
        const res = await api(analyst)
          .get(`/api/analytics/usage?metric=notifications.sent&granularity=day&${range}`)
          .expect(200);
        expect(res.body.series[0].total).toBe(3);
      },
      { timeoutMs: 20_000 },
    );

    await eventually(
      async () => {
        if (!stream.events.some((e) => e.data['id'] === inbox.id)) throw new Error('not streamed yet');
      },
      { timeoutMs: 10_000 },
    );
    stream.close();

    // Nobody else in the org, and the same user id in another org, got anything.
    expect((await api(bystanderToken).get('/api/notifications').expect(200)).body.items).toEqual([]);
    expect((await api(outsiderToken).get('/api/notifications').expect(200)).body.items).toEqual([]);
    expect(await caught({ to: `${bystander}@example.com` })).toEqual([]);

    // Read: the unread count drops; another member cannot read it (404).
    const unreadBefore = (await api(creatorToken).get('/api/notifications?unread=true&limit=100').expect(200))
      .body.items.length;
    expect(unreadBefore).toBeGreaterThan(0);
    expect((await api(creatorToken).get('/api/notifications/unread-count').expect(200)).body).toEqual({
      count: unreadBefore,
      capped: false,
    });
    expectProblem(await api(bystanderToken).post(`/api/notifications/${inbox.id}/read`), 404);
    await api(creatorToken).post(`/api/notifications/${inbox.id}/read`).expect(204);
    const unread = await api(creatorToken).get('/api/notifications?unread=true').expect(200);
    expect(unread.body.items.find((n: { id: string }) => n.id === inbox.id)).toBeUndefined();
    expect((await api(creatorToken).get('/api/notifications/unread-count').expect(200)).body.count).toBe(
      unreadBefore - 1,
    );

    // A stream resumed from before the notification gets it again (Last-Event-ID).
    const resumed = openStream(
      `${platform.url}/api/notifications/stream`,
      creatorToken,
      String(Number(inbox.seq) - 1),
    );
    await eventually(
      async () => {
        if (!resumed.events.some((e) => e.data['id'] === inbox.id)) throw new Error('not resumed yet');
      },
      { timeoutMs: 10_000 },
    );
    resumed.close();

    // The same event delivered again (a relay that re-sends after a crash): still one notification, one email.
    const queue = new Queue('notifications-events', {
      connection: { url: testInfra().redisUrl },
      prefix: bullPrefix(platform.prefix),
    });
    try {
      const original = (await queue.getJobs(['completed'])).find(
        (j) => j.data.type === 'publishing.job.failed' && j.data.payload?.jobId === job.id,
      );
      expect(original).toBeDefined();
      const again = await queue.add(original!.name, original!.data, { jobId: `${original!.id}-again` });
      await eventually(async () => expect(await again.getState()).toBe('completed'));
      const items = (await api(creatorToken).get('/api/notifications').expect(200)).body.items;
      expect(items.filter((n: { link: string }) => n.link === `/publishing/jobs/${job.id}`)).toHaveLength(1);
      expect(
        (await caught({ to: email, channel: 'email' })).filter((m) => m.subject === inbox.title),
      ).toHaveLength(1);
    } finally {
      await queue.close();
    }
  });

  it('every email provider down: the delivery is dead-lettered; its re-drive sends it once', async () => {
    const user = uniqueName('user_dead');
    const address = `${user}@example.com`;
    const token = await tenant.token(
      user,
      ['content:read', 'content:write', 'content:review', 'content:publish', 'publishing:write'],
      {
        extraClaims: { email: address },
      },
    );
    await api(token).get('/api/me').expect(200);
    // SMTP answers 451, SendGrid and SES 503, for this recipient only.
    const control = `${new URL(testInfra().mailApi).origin}/control/${encodeURIComponent(address)}`;
    await fetch(control, { method: 'PUT', body: JSON.stringify({ status: 503 }) });
    await failingJob(token, 'Dead letter');
    const letter = await eventually(
      async () => {
        const res = await api(tenant.admin).get('/api/notifications/dead-letters?pending=true').expect(200);
        const found = res.body.items.find((l: { userId: string }) => l.userId === user);
        if (!found) throw new Error('not dead-lettered yet');
        return found;
      },
      { timeoutMs: 20_000 },
    );
    expect(letter).toEqual(expect.objectContaining({ channel: 'email', attempts: 3, redrivenAt: null }));
    expect(await caught({ to: address })).toEqual([]);
    // Only the org's admins see or re-drive them; another org's admin gets 404.
    expectProblem(await api(token).get('/api/notifications/dead-letters'), 403);
    expectProblem(await api(other.admin).post(`/api/notifications/dead-letters/${letter.id}/redrive`), 404);

    await fetch(control, { method: 'DELETE' });
    const redriven = await api(tenant.admin)
      .post(`/api/notifications/dead-letters/${letter.id}/redrive`)
      .expect(202);
    expect(redriven.body.redrivenAt).toEqual(expect.any(String));
    expectProblem(await api(tenant.admin).post(`/api/notifications/dead-letters/${letter.id}/redrive`), 404);
    const sent = await eventually(
      async () => {
        const found = await caught({ to: address, channel: 'email' });
        if (!found.length) throw new Error('not sent yet');
        return found;
      },
      { timeoutMs: 20_000 },
    );
    expect(sent).toHaveLength(1);
  });

  it('preferences: every type listed with defaults; bad input is a 400 problem and changes nothing', async () => {
    const token = await tenant.token(uniqueName('user_prefs'), []);
    const before = (await api(token).get('/api/notifications/preferences').expect(200)).body;
    expect(before.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          type: 'publishing.job.failed',
          critical: true,
          channels: { email: true, sms: true, push: true, in_app: true },
        }),
      ]),
    );
    expect(before.digest).toBe('off');

    for (const body of [
      { items: [{ type: 'no.such.type', channels: { email: false } }] },
      { items: [{ type: 'publishing.job.failed', channels: { pigeon: true } }] },
      { phone: '12345' },
      { quietHours: { timeZone: 'Mars/Olympus_Mons', start: '22:00', end: '07:00' } },
      { quietHours: { timeZone: 'Europe/Berlin', start: '25:00', end: '07:00' } },
    ]) {
      expectProblem(await api(token).put('/api/notifications/preferences').send(body), 400);
    }
    expectProblem(
      await api(token)
        .put('/api/notifications/preferences')
        .send({ items: [{ type: 'publishing.job.failed', channels: { in_app: false } }] }),
      422,
    );
    expectProblem(
      await api(token).post('/api/notifications/devices').send({ kind: 'fcm', token: 'bad token!' }),
      400,
    );
    expectProblem(await api(token).post('/api/notifications/devices').send({ kind: 'webpush' }), 400);
    expect((await api(token).get('/api/notifications/preferences').expect(200)).body).toEqual(before);

    const after = (
      await api(token)
        .put('/api/notifications/preferences')
        .send({
          items: [{ type: 'publishing.job.completed', channels: { push: false } }],
          quietHours: { timeZone: 'America/New_York', start: '22:00', end: '07:00' },
          digest: 'daily',
          phone: '+442071838750',
        })
        .expect(200)
    ).body;
    expect(
      after.items.find((i: { type: string }) => i.type === 'publishing.job.completed').channels.push,
    ).toBe(false);
    expect(after.quietHours).toEqual({ timeZone: 'America/New_York', start: '22:00', end: '07:00' });
    expect(after).toEqual(expect.objectContaining({ digest: 'daily', phone: '+442071838750' }));
  });

  it('a tampered unsubscribe link is a 400 and changes nothing; the real one turns that email off', async () => {
    const mail = (await caught({ to: email, channel: 'email' }))[0];
    expect(mail).toBeDefined();
    const link = new URL(/<([^>]+)>/.exec(mail!.headers!['list-unsubscribe']!)![1]!);
    const token = link.searchParams.get('token')!;
    const tampered = `${token.slice(0, -3)}${token.endsWith('A') ? 'B' : 'A'}xx`;
    expectProblem(
      await request(platform.url).post(
        `/api/notifications/unsubscribe?token=${encodeURIComponent(tampered)}`,
      ),
      400,
    );
    const prefs = (await api(creatorToken).get('/api/notifications/preferences').expect(200)).body;
    expect(prefs.items.find((i: { type: string }) => i.type === 'publishing.job.failed').channels.email).toBe(
      true,
    );

    const page = await request(platform.url)
      .get(`/api/notifications/unsubscribe?token=${encodeURIComponent(token)}`)
      .expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('A publishing job failed');
    await request(platform.url)
      .post(`/api/notifications/unsubscribe?token=${encodeURIComponent(token)}`)
      .send('List-Unsubscribe=One-Click')
      .set('content-type', 'application/x-www-form-urlencoded')
      .expect(200);
    const after = (await api(creatorToken).get('/api/notifications/preferences').expect(200)).body;
    expect(after.items.find((i: { type: string }) => i.type === 'publishing.job.failed').channels.email).toBe(
      false,
    );
  });
});
