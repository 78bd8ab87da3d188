import { randomUUID } from 'node:crypto';

import { type EventEnvelope, EventQueues, Events } from '@smartbeak/contracts';
import {
  bullPrefix,
  EVENT_BATCH_JOB,
  EVENT_JOB_OPTIONS,
  MessageKeys,
  sealEventBatch,
} from '@smartbeak/messaging';
import { eventually, testInfra, uniqueName } from '@smartbeak/testing';
import { Queue } from 'bullmq';
import { Client } from 'pg';
import request from 'supertest';

import { Platform } from './platform';

const EVENTS = 100_000;
const REDELIVERED = 5_000;
const RELAY_BATCH = 200;

jest.setTimeout(300_000);

describe('analytics: kill -9 of the ingestion worker during a 100k-event burst', () => {
  let platform: Platform;
  let queue: Queue;
  let db: Client;

  beforeAll(async () => {
    platform = await Platform.start({
      services: ['analytics'],
      // A crashed batcher's jobs are handed out again within seconds, not half a minute.
      analyticsEnv: { ANALYTICS_LOCK_MS: '3000' },
    });
    queue = new Queue(EventQueues.analytics, {
      connection: { url: testInfra().redisUrl },
      prefix: bullPrefix(platform.prefix),
    });
    db = new Client({ connectionString: platform.analyticsDb.url });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await queue?.close();
    await platform?.stop();
  });

  it('ends with exact totals: nothing acknowledged lost, nothing counted twice', async () => {
    const orgId = uniqueName('org_burst');
    const env = platform.messageKeys.env('content');
    const keys = MessageKeys.parse('content', env.MESSAGE_SIGNING_KEY, env.MESSAGE_TRUSTED_KEYS);
    const start = Date.now();
    const events: EventEnvelope[] = Array.from({ length: EVENTS }, (_, i) => ({
      id: randomUUID(),
      type: Events.content.created,
      aggregateId: randomUUID(),
      orgId,
      domainId: null,
      // Spread over the last minute: whatever the hour, every event is at most a minute old.
      occurredAt: new Date(start - 60_000 + Math.floor((i * 60_000) / EVENTS)).toISOString(),
      payload: { actor: 'user_burst' },
      version: 1,
    }));
    /** As content's relay delivers them: one job per 200 events, one seal each. */
    const add = async (batch: EventEnvelope[], suffix = '') => {
      const jobs = [];
      for (let i = 0; i < batch.length; i += RELAY_BATCH) {
        const part = batch.slice(i, i + RELAY_BATCH);
        jobs.push({
          name: EVENT_BATCH_JOB,
          data: sealEventBatch(keys, part),
          opts: { ...EVENT_JOB_OPTIONS, jobId: `batch-${part[0]!.id}${suffix}` },
        });
      }
      for (let i = 0; i < jobs.length; i += 50) await queue.addBulk(jobs.slice(i, i + 50));
    };
    const stored = async () =>
      (await db.query(`SELECT count(*)::int AS n FROM events_raw WHERE org_id = $1`, [orgId])).rows[0]
        .n as number;

    // The burst goes on while the worker dies: it is killed as soon as a good part is stored.
    const adding = add(events);
    // Mid-burst: a good part written, far from all.
    await eventually(async () => expect(await stored()).toBeGreaterThan(15_000), {
      timeoutMs: 120_000,
      intervalMs: 50,
    });
    await platform.analytics[0]!.crash();
    const atKill = await stored();
    expect(atKill).toBeLessThan(EVENTS);
    await adding;

    // Redelivery, as a relay that died before marking its rows sent would do: the same events, other batches.
    await add(events.slice(100, 100 + REDELIVERED), '-again');
    await platform.startAnalytics();

    await eventually(
      async () => {
        const counts = await queue.getJobCounts('wait', 'active', 'delayed', 'prioritized', 'failed');
        expect(counts).toEqual({ wait: 0, active: 0, delayed: 0, prioritized: 0, failed: 0 });
      },
      { timeoutMs: 180_000, intervalMs: 500 },
    );
    expect(await stored()).toBe(EVENTS);
    const { rows } = await db.query(
      `SELECT count(DISTINCT event_id)::int AS n, sum(value)::int AS total FROM events_raw WHERE org_id = $1`,
      [orgId],
    );
    expect(rows[0]).toEqual({ n: EVENTS, total: EVENTS });

    // And the report says so, whichever hours the minute fell in (rolled or live).
    const token = await platform.token({ userId: 'user_reader', orgId, permissions: ['analytics:read'] });
    const from = new Date(start - 2 * 3_600_000).toISOString();
    const to = new Date(Date.now() + 3_600_000).toISOString();
    await eventually(
      async () => {
        const res = await request(platform.url)
          .get(`/api/analytics/usage?metric=content.created&granularity=hour&from=${from}&to=${to}`)
          .set('Authorization', `Bearer ${token}`)
          .expect(200);
        expect(res.body.series[0].total).toBe(EVENTS);
      },
      { timeoutMs: 20_000 },
    );
    console.log(`analytics crash: ${atKill} of ${EVENTS} stored at the kill; ${EVENTS} after, exactly`);
  });
});
