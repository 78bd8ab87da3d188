import { randomUUID } from 'node:crypto';

import { type EventEnvelope, EventQueues, Events } from '@smartbeak/contracts';
import { bullPrefix, EVENT_JOB_OPTIONS, MessageKeys, sealEvent } from '@smartbeak/messaging';
import { eventually, FakeWordPress, testInfra } from '@smartbeak/testing';
import { Queue } from 'bullmq';
import { Client } from 'pg';

import { asUser, wordPressJob } from './notify';
import { expectProblem, Platform, seedTenant, type Tenant } from './platform';

const HOUR = 3_600_000;

describe('analytics: real activity in hourly, daily and monthly reports (shared platform)', () => {
  let platform: Platform;
  let wordpress: FakeWordPress;
  let tenant: Tenant;
  let other: Tenant;
  let writer: string;
  let reader: string;
  let queue: Queue;
  let contentKeys: MessageKeys;
  const api = (token: string) => asUser(platform, token);

  /** The whole of today (UTC) and the month, wide enough for every bucket the spec touches. */
  const now = new Date();
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - 2 * 86_400_000);
  const to = new Date(now.getTime() + 2 * HOUR);
  const range = `from=${from.toISOString()}&to=${to.toISOString()}`;

  const totals = async (token: string, metrics: string, granularity: string, extra = '') => {
    const res = await api(token)
      .get(`/api/analytics/usage?metric=${metrics}&granularity=${granularity}&${range}${extra}`)
      .expect(200);
    return Object.fromEntries(
      (res.body.series as { metric: string; total: number }[]).map((s) => [s.metric, s.total]),
    );
  };

  /** An event as content's relay would send it, signed with content's key. */
  const contentEvent = (occurredAt: Date, id = randomUUID()): EventEnvelope =>
    sealEvent(contentKeys, {
      id,
      type: Events.content.created,
      aggregateId: randomUUID(),
      orgId: tenant.orgId,
      domainId: tenant.domainId,
      occurredAt: occurredAt.toISOString(),
      payload: { actor: 'user_late' },
      version: 1,
    });

  beforeAll(async () => {
    platform = await Platform.shared();
    wordpress = await new FakeWordPress().start();
    tenant = await seedTenant(platform, 'analytics');
    other = await seedTenant(platform, 'analytics_other');
    writer = await tenant.token('user_writer', [
      'content:read',
      'content:write',
      'content:review',
      'content:publish',
      'publishing:write',
    ]);
    reader = await tenant.token('user_reader', ['analytics:read'], { domainId: undefined });
    queue = new Queue(EventQueues.analytics, {
      connection: { url: testInfra().redisUrl },
      prefix: bullPrefix(platform.prefix),
    });
    const env = platform.messageKeys.env('content');
    contentKeys = MessageKeys.parse('content', env.MESSAGE_SIGNING_KEY, env.MESSAGE_TRUSTED_KEYS);
  });
  afterAll(async () => {
    await queue?.close();
    await wordpress?.close();
  });

  it('counts content and publishing activity exactly, in every tier, per destination, and as CSV', async () => {
    const item = (
      await api(writer).post('/api/content').send({ title: 'Counted', body: '<p>a</p>' }).expect(201)
    ).body;
    await api(writer)
      .post('/api/content/update')
      .send({ id: item.id, title: 'Counted again', version: 1 })
      .expect(200);
    const good = await wordPressJob(api(writer), wordpress, 'Published one');
    const bad = await wordPressJob(api(writer), wordpress, 'Refused one', 'wrong pass word 1234');
    for (const [job, state] of [
      [good, 'completed'],
      [bad, 'failed'],
    ] as const) {
      await eventually(
        async () => {
          expect((await api(writer).get(`/api/publishing/jobs/${job}`).expect(200)).body.state).toBe(state);
        },
        { timeoutMs: 30_000 },
      );
    }

    const metrics =
      'content.created,content.updated,publishing.attempts,publishing.successes,publishing.failures';
    const expected = {
      'content.created': 3,
      'content.updated': 1,
      'publishing.attempts': 2,
      'publishing.successes': 1,
      'publishing.failures': 1,
    };
    await eventually(async () => expect(await totals(reader, metrics, 'hour')).toEqual(expected), {
      timeoutMs: 20_000,
    });
    expect(await totals(reader, metrics, 'day')).toEqual(expected);
    expect(await totals(reader, metrics, 'month')).toEqual(expected);
    expect(await totals(reader, metrics, 'day', `&domainId=${tenant.domainId}`)).toEqual(expected);

    const hourly = (
      await api(reader)
        .get(`/api/analytics/usage?metric=content.created&granularity=hour&${range}`)
        .expect(200)
    ).body;
    expect(hourly).toEqual(expect.objectContaining({ metric: 'content.created', granularity: 'hour' }));
    const thisHour = new Date(Math.floor(Date.now() / HOUR) * HOUR).toISOString();
    expect(hourly.points.find((p: { bucket: string }) => p.bucket === thisHour)?.value).toBe(3);

    const report = (await api(reader).get(`/api/analytics/reports/content?${range}`).expect(200)).body;
    expect(report.rows).toEqual([
      expect.objectContaining({
        domainId: tenant.domainId,
        created: 3,
        attempts: 2,
        failures: 1,
        successRate: 0.5,
        byDestination: { wordpress: { attempts: 2, successes: 1, failures: 1, successRate: 0.5 } },
      }),
    ]);

    const csv = await api(reader)
      .get(`/api/analytics/reports/content?${range}`)
      .set('Accept', 'text/csv')
      .expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const [header, ...lines] = csv.text.trim().split('\n');
    expect(header).toContain('byDestination.wordpress.attempts');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(tenant.domainId);

    // The API meter: this org's requests, counted at the gateway and flushed to analytics.
    await eventually(
      async () => {
        const portfolio = (await api(reader).get(`/api/analytics/reports/portfolio?${range}`).expect(200))
          .body;
        const domain = portfolio.domains.find(
          (d: { domainId: string | null }) => d.domainId === tenant.domainId,
        );
        expect(domain.metrics['content.created']).toBe(3);
        const orgWide = portfolio.domains.find((d: { domainId: string | null }) => d.domainId === null);
        expect(orgWide.metrics['api.requests']).toBeGreaterThan(5);
      },
      { timeoutMs: 20_000 },
    );

    // Another org reads its own figures: none of these.
    const outsider = await other.token('user_reader', ['analytics:read']);
    expect(await totals(outsider, metrics, 'day')).toEqual({
      'content.created': 0,
      'content.updated': 0,
      'publishing.attempts': 0,
      'publishing.successes': 0,
      'publishing.failures': 0,
    });
    const foreign = await api(outsider).get(
      `/api/analytics/usage?metric=content.created&granularity=day&${range}&domainId=${tenant.domainId}`,
    );
    expectProblem(foreign, 404);
  });

  it('counts a redelivered event once and folds a late event into an hour already rolled up', async () => {
    const before = (await totals(reader, 'content.created', 'month'))['content.created'];
    const lateAt = new Date(Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR + 60_000);
    const lateHour = new Date(Math.floor(lateAt.getTime() / HOUR) * HOUR).toISOString();
    const late = contentEvent(lateAt);
    // The event, then the same event again under another job id (a relay that died before marking it sent).
    await queue.add(late.type, late, { ...EVENT_JOB_OPTIONS, jobId: late.id });
    await queue.add(late.type, late, { ...EVENT_JOB_OPTIONS, jobId: `${late.id}-again` });

    const hourValue = async () =>
      (
        await api(reader)
          .get(`/api/analytics/usage?metric=content.created&granularity=hour&${range}`)
          .expect(200)
      ).body.points.find((p: { bucket: string }) => p.bucket === lateHour)?.value;
    // Its hour is over: it shows once the hourly rollup has run, in the hour it happened.
    await eventually(async () => expect(await hourValue()).toBe(1), { timeoutMs: 20_000 });
    await eventually(async () =>
      expect((await totals(reader, 'content.created', 'month'))['content.created']).toBe(before + 1),
    );
    expect((await totals(reader, 'content.created', 'day'))['content.created']).toBe(before + 1);

    // Both jobs completed; the raw table holds the event once.
    await eventually(async () => {
      expect(await (await queue.getJob(`${late.id}-again`))?.isCompleted()).toBe(true);
    });
    const db = new Client({ connectionString: platform.analyticsDb.url });
    await db.connect();
    try {
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM events_raw WHERE event_id = $1`, [
        late.id,
      ]);
      expect(rows[0].n).toBe(1);
      // The hour's rollup is done: no mark left for it.
      const marks = await db.query(`SELECT 1 FROM rollup_dirty WHERE tier = 'hour' AND bucket = $1`, [
        lateHour,
      ]);
      expect(marks.rows).toHaveLength(0);
    } finally {
      await db.end();
    }
    expect(await hourValue()).toBe(1);
  });

  it("cuts days at an org's own local midnight with ?tz (from hourly figures)", async () => {
    const env = platform.messageKeys.env('media');
    const mediaKeys = MessageKeys.parse('media', env.MESSAGE_SIGNING_KEY, env.MESSAGE_TRUSTED_KEYS);
    // Two hours ago (its hour rolled up), in Kiritimati (UTC+14, no daylight saving) often another day than in UTC.
    const at = new Date(Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR + 30_000);
    const upload = sealEvent(mediaKeys, {
      id: randomUUID(),
      type: Events.media.assetReady,
      aggregateId: randomUUID(),
      orgId: tenant.orgId,
      domainId: tenant.domainId,
      occurredAt: at.toISOString(),
      payload: { size: 4096, contentType: 'image/png' },
    });
    await queue.add(upload.type, upload, { ...EVENT_JOB_OPTIONS, jobId: upload.id });
    const offset = 14 * HOUR;
    const localMidnight = new Date(Math.floor((at.getTime() + offset) / 86_400_000) * 86_400_000 - offset);
    await eventually(
      async () => {
        const res = await api(reader)
          .get(
            `/api/analytics/usage?metric=media.uploads,media.bytes_uploaded&granularity=day&${range}&tz=Pacific/Kiritimati`,
          )
          .expect(200);
        const day = (metric: string) =>
          res.body.series
            .find((s: { metric: string }) => s.metric === metric)
            .points.find((p: { bucket: string }) => p.bucket === localMidnight.toISOString())?.value;
        expect(day('media.uploads')).toBe(1);
        expect(day('media.bytes_uploaded')).toBe(4096);
        // Every bucket starts at a Kiritimati midnight (10:00 UTC).
        expect(res.body.points.every((p: { bucket: string }) => p.bucket.endsWith('T10:00:00.000Z'))).toBe(
          true,
        );
      },
      { timeoutMs: 20_000 },
    );
  });

  it('answers bad report requests with a 400 problem', async () => {
    const bad = [
      `/api/analytics/usage?metric=content.nonsense&granularity=day&${range}`,
      `/api/analytics/usage?metric=content.created&granularity=week&${range}`,
      `/api/analytics/usage?metric=content.created&granularity=day&from=${to.toISOString()}&to=${from.toISOString()}`,
      // 2 years of hours: far more than 10,000 points.
      `/api/analytics/usage?metric=content.created&granularity=hour&from=${new Date(Date.now() - 730 * 86_400_000).toISOString()}&to=${now.toISOString()}`,
      `/api/analytics/usage?metric=content.created,content.updated,content.published,media.uploads,api.requests,publishing.attempts&granularity=day&${range}`,
      `/api/analytics/usage?metric=content.created&granularity=day&from=yesterday&to=${now.toISOString()}`,
      `/api/analytics/reports/content?granularity=hour&${range}`,
      `/api/analytics/usage?metric=content.created&granularity=day&${range}&tz=Mars/Olympus_Mons`,
      // Local days come from hourly figures: 90 days back at most.
      `/api/analytics/usage?metric=content.created&granularity=month&from=${new Date(Date.now() - 200 * 86_400_000).toISOString()}&to=${now.toISOString()}&tz=Europe/Berlin`,
    ];
    for (const path of bad) expectProblem(await api(reader).get(path), 400);
    // Without analytics:read: 403.
    expectProblem(await api(writer).get(`/api/analytics/reports/portfolio?${range}`), 403);
  });
});
