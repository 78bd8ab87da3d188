import { eventually, FakeWordPress, uniqueName } from '@smartbeak/testing';
import { Client } from 'pg';

import { asUser, caught, submittedItem, wordPressJob } from './notify';
import { CATCHER_ACCOUNTS, Platform, seedTenant, type Tenant } from './platform';

/** HH:MM in `timeZone`, `minutes` from now. */
function localTime(timeZone: string, minutes: number): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(Date.now() + minutes * 60_000));
}

/**
 * What waits and what goes at once: quiet hours hold push until the window
 * ends, a digest makes one email of many, a type turned off sends nothing, a
 * critical event goes through both at once; a system-error dead letter pages
 * on-call. "The window ends" is simulated by moving its end into the past in
 * the database (the times themselves are the planner's unit tests, DST included).
 */
describe('notifications: held, batched, muted, paged', () => {
  let platform: Platform;
  let tenant: Tenant;
  let wordpress: FakeWordPress;
  let db: Client;
  const timeZone = 'America/New_York';

  beforeAll(async () => {
    platform = await Platform.shared();
    tenant = await seedTenant(platform, 'notify_hold');
    wordpress = await new FakeWordPress().start();
    db = new Client({ connectionString: platform.notificationsDb.url });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await wordpress?.close();
  });

  it('quiet hours hold push, an hourly digest makes one email of three, a muted type sends nothing, critical goes at once', async () => {
    const api = (token: string) => asUser(platform, token);
    const reviewer = uniqueName('user_night');
    const reviewerEmail = `${reviewer}@example.com`;
    const reviewerDevice = `fcm-${reviewer.replace(/_/g, '-')}-${'q'.repeat(24)}`;
    const muted = uniqueName('user_muted');
    const author = asUser(
      platform,
      await tenant.token(uniqueName('user_author'), ['content:read', 'content:write']),
    );
    const night = api(
      await tenant.token(
        reviewer,
        ['content:read', 'content:write', 'content:review', 'content:publish', 'publishing:write'],
        {
          extraClaims: { email: reviewerEmail },
        },
      ),
    );
    const quiet = api(
      await tenant.token(muted, ['content:read', 'content:review'], {
        extraClaims: { email: `${muted}@example.com` },
      }),
    );
    await night.get('/api/me').expect(200);
    await quiet.get('/api/me').expect(200);
    const window = { timeZone, start: localTime(timeZone, -60), end: localTime(timeZone, 120) };
    await night
      .put('/api/notifications/preferences')
      .send({ quietHours: window, digest: 'hourly' })
      .expect(200);
    await night.post('/api/notifications/devices').send({ kind: 'fcm', token: reviewerDevice }).expect(201);
    await quiet
      .put('/api/notifications/preferences')
      .send({
        items: [
          {
            type: 'content.item.submitted',
            channels: { email: false, sms: false, push: false, in_app: false },
          },
        ],
      })
      .expect(200);
    await quiet
      .post('/api/notifications/devices')
      .send({ kind: 'fcm', token: `${reviewerDevice}-m` })
      .expect(201);

    const titles = ['Night one', 'Night two', 'Night three'];
    for (const title of titles) await submittedItem(author, title);

    const inbox = await eventually(
      async () => {
        const items = (await night.get('/api/notifications').expect(200)).body.items.filter(
          (n: { type: string }) => n.type === 'content.item.submitted',
        );
        if (items.length < 3) throw new Error(`${items.length} of 3 in the inbox`);
        return items;
      },
      { timeoutMs: 20_000 },
    );
    expect(inbox.map((n: { title: string }) => n.title).sort()).toEqual(
      titles.map((t) => `Review requested: “${t}”`).sort(),
    );

    // Held: each push until the window's end (a local time in New York), each email for the hour's digest.
    const held = await db.query<{ channel: string; status: string; ends: string; window_ok: boolean }>(
      `SELECT d.channel, d.status,
              to_char(d.due_at AT TIME ZONE $2, 'HH24:MI') AS ends,
              d.digest_window_end = date_trunc('hour', d.created_at) + interval '1 hour' AS window_ok
         FROM deliveries d JOIN notifications n ON n.id = d.notification_id
        WHERE d.user_id = $1 AND n.type = 'content.item.submitted' ORDER BY d.channel`,
      [reviewer, timeZone],
    );
    expect(held.rows).toHaveLength(6);
    expect(held.rows.filter((r) => r.channel === 'email')).toEqual(
      Array(3).fill(expect.objectContaining({ status: 'held', window_ok: true })),
    );
    expect(held.rows.filter((r) => r.channel === 'push')).toEqual(
      Array(3).fill(expect.objectContaining({ status: 'held', ends: window.end })),
    );

    // Muted: no inbox entry, no delivery, nothing sent.
    expect((await quiet.get('/api/notifications').expect(200)).body.items).toEqual([]);
    expect((await db.query(`SELECT 1 FROM notifications WHERE user_id = $1`, [muted])).rowCount).toBe(0);

    // A critical event in the same quiet hours and digest: email and push go at once.
    const jobId = await wordPressJob(night, wordpress, 'Critical at night', 'wrong pass word 1234');
    const critical = await eventually(
      async () => {
        const mail = (await caught({ to: reviewerEmail, channel: 'email' })).filter((m) =>
          m.text.includes(jobId),
        );
        const push = await caught({ to: reviewerDevice, channel: 'push' });
        if (!mail.length || !push.length) throw new Error('critical not sent yet');
        return { mail, push };
      },
      { timeoutMs: 20_000 },
    );
    expect(critical.mail).toEqual([
      expect.objectContaining({ subject: 'Publishing failed: “Critical at night”' }),
    ]);
    expect(critical.push).toEqual([
      expect.objectContaining({ subject: 'Publishing failed: “Critical at night”' }),
    ]);
    // The held ones are still held.
    expect(
      (await caught({ to: reviewerEmail, channel: 'email' })).filter((m) => /digest/.test(m.subject ?? '')),
    ).toEqual([]);

    // The window ends and the hour closes.
    await db.query(
      `UPDATE deliveries SET due_at = now() WHERE user_id = $1 AND status = 'held' AND channel = 'push'`,
      [reviewer],
    );
    await db.query(
      `UPDATE deliveries SET digest_window_end = now() WHERE user_id = $1 AND status = 'held' AND channel = 'email'`,
      [reviewer],
    );
    const released = await eventually(
      async () => {
        const digest = (await caught({ to: reviewerEmail, channel: 'email' })).filter((m) =>
          /digest/.test(m.subject ?? ''),
        );
        const pushes = (await caught({ to: reviewerDevice, channel: 'push' })).filter((m) =>
          /^Review requested/.test(m.subject ?? ''),
        );
        if (!digest.length || pushes.length < 3) throw new Error('not released yet');
        return { digest, pushes };
      },
      { timeoutMs: 20_000 },
    );
    expect(released.digest).toHaveLength(1);
    expect(released.digest[0]!.subject).toBe('Your hourly SmartBeak digest: 3 updates');
    for (const title of titles) expect(released.digest[0]!.text).toContain(title);
    expect(released.pushes.map((m) => m.subject).sort()).toEqual(
      titles.map((t) => `Review requested: “${t}”`).sort(),
    );
    // Nothing left waiting (the critical job's SMS is suppressed: no phone number). A delivery is
    // marked sent after the provider took it, so the catcher can hold a message a moment before.
    await eventually(async () => {
      const settled = await db.query<{ status: string }>(
        `SELECT DISTINCT status FROM deliveries WHERE user_id = $1 ORDER BY status`,
        [reviewer],
      );
      expect(settled.rows.map((r) => r.status)).toEqual(['sent', 'suppressed']);
    });
    expect(await caught({ to: `${muted}@example.com` })).toEqual([]);
    expect(await caught({ to: `${reviewerDevice}-m` })).toEqual([]);
  });

  it('a system-error dead letter pages on-call (PagerDuty) once and tells the creator, not the admins', async () => {
    const creator = uniqueName('user_paged');
    const api = asUser(
      platform,
      await tenant.token(creator, ['content:read', 'content:write', 'content:publish', 'publishing:write']),
    );
    await api.get('/api/me').expect(200);
    await asUser(platform, tenant.admin).get('/api/me').expect(200);
    // WordPress answers the slug lookup with something that is not a list: the adapter cannot go on.
    wordpress.script('find-posts', { status: 200, body: { unexpected: true } });
    const jobId = await wordPressJob(api, wordpress, 'System error');

    const page = await eventually(
      async () => {
        const found = (await caught({ channel: 'pager' })).filter((m) => m.subject?.includes(jobId));
        if (!found.length) throw new Error('not paged yet');
        return found;
      },
      { timeoutMs: 20_000 },
    );
    expect(page).toEqual([
      expect.objectContaining({
        provider: 'pagerduty',
        to: [CATCHER_ACCOUNTS.pagerRoutingKey],
      }),
    ]);
    expect(page[0]!.subject).toMatch(
      new RegExp(`^Publishing job ${jobId} dead-lettered \\(system\\) in org ${tenant.orgId}`),
    );
    const told = (await api.get('/api/notifications').expect(200)).body.items;
    expect(told).toEqual([
      expect.objectContaining({ type: 'publishing.job.dead-lettered', link: `/publishing/jobs/${jobId}` }),
    ]);
    const admins = (await asUser(platform, tenant.admin).get('/api/notifications').expect(200)).body.items;
    expect(admins.filter((n: { link: string }) => n.link === `/publishing/jobs/${jobId}`)).toEqual([]);
    // One page per event: the alert row is sent.
    await eventually(async () => {
      const alerts = await db.query(`SELECT status FROM operator_alerts WHERE summary LIKE $1`, [
        `%${jobId}%`,
      ]);
      expect(alerts.rows).toEqual([{ status: 'sent' }]);
    });
  });
});
