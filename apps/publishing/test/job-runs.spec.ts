import { randomUUID } from 'node:crypto';

import { Events } from '@smartbeak/contracts';
import { outboxRecords } from '@smartbeak/messaging';
import { systemScope } from '@smartbeak/persistence';
import { type MigratedTestDatabase, migratedTestDatabase } from '@smartbeak/testing';

import { publishingDatabaseOptions } from '../src/database/schema';
import { type JobRow } from '../src/jobs/job-rows';
import { JobRunsSystem, type SettledRun } from '../src/jobs/job-runs.system';

const WORKER = systemScope('publishing tests');

describe("the worker's grouped claims and settlements (real PostgreSQL)", () => {
  let db: MigratedTestDatabase;
  let runs: JobRunsSystem;
  const org = `org_${randomUUID().slice(0, 8)}`;
  const domain = randomUUID();
  const target = randomUUID();

  /** A queued job publishing `contentId` to the target. */
  const job = async (contentId: string): Promise<string> => {
    const id = randomUUID();
    await db.database.run(
      `INSERT INTO publishing_jobs (id, org_id, domain_id, content_id, content, state, created_by)
       VALUES ($1, $2, $3, $4, $5, 'queued', 'user_1')`,
      [id, org, domain, contentId, JSON.stringify({ title: `Item ${contentId.slice(0, 4)}` })],
    );
    await db.database.run(
      `INSERT INTO job_targets (job_id, target_id, type, position, state) VALUES ($1, $2, 'wordpress', 0, 'pending')`,
      [id, target],
    );
    return id;
  };
  const succeeded = (row: JobRow, externalId: string): SettledRun => ({
    jobState: 'completed',
    targets: [
      {
        targetId: target,
        state: 'succeeded',
        externalId,
        externalUrl: `https://x/${externalId}`,
        lastError: null,
      },
    ],
    posts: [{ targetId: target, externalId, externalUrl: `https://x/${externalId}` }],
    history: [
      { target: null, state: 'completed', detail: null },
      { target, state: 'succeeded', detail: `https://x/${externalId}` },
    ],
    events: [
      {
        type: Events.publishing.jobCompleted,
        aggregateId: row.id,
        orgId: org,
        domainId: domain,
        payload: { jobId: row.id },
      },
    ],
  });

  beforeAll(async () => {
    db = await migratedTestDatabase('publishing_job_runs', publishingDatabaseOptions);
    runs = new JobRunsSystem(db.database);
    await db.database.run(
      `INSERT INTO publishing_targets (id, org_id, domain_id, type, name, config, secret)
       VALUES ($1, $2, $3, 'wordpress', 'Blog', '{"baseUrl":"https://blog.example"}', 'sealed')`,
      [target, org, domain],
    );
  });
  afterAll(() => db.drop());

  it('claims several jobs in one statement: one per item and destination, answers in the order asked', async () => {
    const item = randomUUID();
    const other = randomUUID();
    const [first, second, third] = [await job(item), await job(item), await job(other)];
    const finished = randomUUID();

    const started = await runs.startMany(WORKER, [
      { jobId: third!, requestId: 'req-3' },
      { jobId: finished, requestId: null },
      { jobId: first!, requestId: 'req-1' },
      { jobId: second!, requestId: 'req-2' },
    ]);

    expect(started.map((s) => s?.job.id)).toEqual([third, undefined, first, second]);
    for (const s of [started[0], started[2], started[3]]) {
      expect(s!.job.state).toBe('active');
      expect(s!.job.attempts).toBe(1);
      expect(s!.targets).toHaveLength(1);
      expect(s!.targets[0]).toMatchObject({
        targetId: target,
        state: 'pending',
        config: { baseUrl: 'https://blog.example' },
      });
    }
    // The same item to the same destination: exactly one of the two holds the claim.
    const claims = [started[2]!.targets[0]!.claimed, started[3]!.targets[0]!.claimed];
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(started[0]!.targets[0]!.claimed).toBe(true);

    const events = await db.database.rows<{ aggregate_id: string; request_id: string | null }>(
      `SELECT aggregate_id, request_id FROM outbox WHERE type = $1 AND aggregate_id = ANY($2) ORDER BY request_id`,
      [Events.publishing.jobStarted, [first, second, third]],
    );
    expect(events).toEqual([
      { aggregate_id: first, request_id: 'req-1' },
      { aggregate_id: second, request_id: 'req-2' },
      { aggregate_id: third, request_id: 'req-3' },
    ]);
    const history = await db.database.rows<{ job_id: string; detail: string }>(
      `SELECT job_id, detail FROM job_events WHERE job_id = ANY($1) AND state = 'active'`,
      [[first, second, third]],
    );
    expect(history).toHaveLength(3);
    expect(history.every((h) => h.detail === 'attempt 1')).toBe(true);
  });

  it('settles several runs in one statement: each job, its target, its post, its history and event', async () => {
    const [a, b] = [await job(randomUUID()), await job(randomUUID())];
    const [startedA, startedB] = await runs.startMany(WORKER, [
      { jobId: a!, requestId: null },
      { jobId: b!, requestId: null },
    ]);
    const settledA = succeeded(startedA!.job, 'post-a');
    const settledB = { ...succeeded(startedB!.job, 'post-b') };
    await runs.settleMany(WORKER, [
      { job: startedA!.job, run: settledA, events: outboxRecords(settledA.events) },
      { job: startedB!.job, run: settledB, events: outboxRecords(settledB.events) },
    ]);

    const jobs = await db.database.rows<{ id: string; state: string; completed: boolean }>(
      `SELECT id, state, completed_at IS NOT NULL AS completed FROM publishing_jobs WHERE id = ANY($1) ORDER BY id`,
      [[a, b]],
    );
    expect(jobs).toEqual([a, b].sort().map((id) => ({ id, state: 'completed', completed: true })));
    const targets = await db.database.rows<{ job_id: string; state: string; external_id: string }>(
      `SELECT job_id, state, external_id FROM job_targets WHERE job_id = ANY($1) ORDER BY external_id`,
      [[a, b]],
    );
    expect(targets).toEqual([
      { job_id: a, state: 'succeeded', external_id: 'post-a' },
      { job_id: b, state: 'succeeded', external_id: 'post-b' },
    ]);
    const posts = await db.database.rows<{ content_id: string; external_id: string }>(
      `SELECT content_id, external_id FROM target_posts WHERE content_id = ANY($1) ORDER BY external_id`,
      [[startedA!.job.contentId, startedB!.job.contentId]],
    );
    expect(posts).toEqual([
      { content_id: startedA!.job.contentId, external_id: 'post-a' },
      { content_id: startedB!.job.contentId, external_id: 'post-b' },
    ]);
    const claims = await db.database.one<{ n: number }>(
      `SELECT count(*)::int AS n FROM post_claims WHERE job_id = ANY($1)`,
      [[a, b]],
    );
    expect(claims!.n).toBe(0);
    const completedEvents = await db.database.one<{ n: number }>(
      `SELECT count(*)::int AS n FROM outbox WHERE type = $1 AND aggregate_id = ANY($2)`,
      [Events.publishing.jobCompleted, [a, b]],
    );
    expect(completedEvents!.n).toBe(2);
    const history = await db.database.rows<{ job_id: string; state: string }>(
      `SELECT job_id, state FROM job_events WHERE job_id = $1 ORDER BY id`,
      [a],
    );
    expect(history.map((h) => h.state)).toEqual(['active', 'completed', 'succeeded']);
  });
});
