import { Events, type JobTargetState } from '@smartbeak/contracts';
import {
  outboxInsertFromSql,
  type OutboxEvent,
  outboxInsertSql,
  type OutboxRecord,
  outboxRecords,
} from '@smartbeak/messaging';
import { Repository, type SystemScope } from '@smartbeak/persistence';

import { PUBLISHING_QUEUE } from '../queues/queues';
import { insertDeadLetter, JOB_TARGET_COLUMNS, type JobRow, type JobTargetRow } from './job-rows';

/** A target as a run starts it: its row (`state` as it was before), destination config and sealed secret. */
export interface StartedTargetRow extends JobTargetRow {
  config: Record<string, unknown>;
  secret: string;
  deleted: boolean;
  previousId: string | null;
  previousUrl: string | null;
  claimed: boolean;
}

export interface StartedRun {
  job: JobRow;
  targets: StartedTargetRow[];
  /** Targets outside this run that are not succeeded (failed or unconfirmed earlier). */
  othersOpen: number;
}

/** How a run ends, as the worker decided it. */
export interface SettledRun {
  jobState: 'completed' | 'failed' | 'retrying';
  targets: {
    targetId: string;
    state: JobTargetState;
    externalId: string | null;
    externalUrl: string | null;
    lastError: string | null;
  }[];
  /** Posts the destinations now hold (a later job updates them). */
  posts: { targetId: string; externalId: string | null; externalUrl: string | null }[];
  history: { target: string | null; state: string; detail: string | null }[];
  events: OutboxEvent[];
}

/**
 * The worker's statements. A queue job names a publishing job by id only,
 * whatever its org: these are system queries, each one statement.
 */
export class JobRunsSystem extends Repository {
  /**
   * Claims jobs in one statement: each `active`, attempts + 1; its open
   * targets `active` (those an earlier try left `active` keep that as their
   * "before" state, to be reconciled); the item × destination claims (one
   * job of a batch per item and destination; the others find it held, as
   * they would a moment later); the history rows and the
   * `publishing.job.started` events. One answer per id, in order: undefined
   * for a job that is finished.
   */
  async startMany(
    _scope: SystemScope,
    starts: { jobId: string; requestId: string | null }[],
  ): Promise<(StartedRun | undefined)[]> {
    const rows = await this.sql.rows<{
      id: string;
      job: JobRow;
      targets: StartedTargetRow[] | null;
      othersOpen: number;
    }>(
      `WITH asked AS (
           SELECT * FROM unnest($1::uuid[], $2::varchar[]) AS a(id, request_id)),
         job AS (
           UPDATE publishing_jobs j SET state = 'active', attempts = attempts + 1, updated_at = now()
             FROM asked WHERE j.id = asked.id AND j.state NOT IN ('completed', 'failed')
           RETURNING j.*, asked.request_id),
         before AS (
           SELECT jt.job_id, jt.target_id, jt.state FROM job_targets jt JOIN job ON jt.job_id = job.id
            WHERE jt.state IN ('pending', 'active') FOR UPDATE OF jt),
         moved AS (
           UPDATE job_targets jt SET state = 'active', attempts = jt.attempts + 1, updated_at = now()
             FROM before b WHERE jt.job_id = b.job_id AND jt.target_id = b.target_id
           RETURNING jt.*, b.state AS before_state),
         claimed AS (
           INSERT INTO post_claims (target_id, content_id, job_id, until)
           SELECT DISTINCT ON (m.target_id, job.content_id) m.target_id, job.content_id, job.id, now() + interval '10 minutes'
             FROM moved m JOIN job ON job.id = m.job_id
            ORDER BY m.target_id, job.content_id, job.id
           ON CONFLICT (target_id, content_id) DO UPDATE SET job_id = EXCLUDED.job_id, until = EXCLUDED.until
             WHERE post_claims.until < now() OR post_claims.job_id = EXCLUDED.job_id
           RETURNING target_id, job_id),
         history AS (
           INSERT INTO job_events (job_id, state, detail) SELECT id, 'active', 'attempt ' || attempts FROM job),
         events AS (${outboxInsertFromSql(
           `SELECT '${Events.publishing.jobStarted}', id, org_id, domain_id,
                   jsonb_build_object('jobId', id, 'contentId', content_id, 'state', 'active', 'attempt', attempts),
                   request_id
              FROM job`,
         )})
         SELECT job.id,
           json_build_object('id', job.id, 'orgId', job.org_id, 'domainId', job.domain_id, 'contentId', job.content_id,
                   'content', job.content, 'state', job.state, 'attempts', job.attempts, 'run', job.run,
                   'createdBy', job.created_by) AS job,
           (SELECT json_agg(json_build_object(
                   'jobId', m.job_id, 'targetId', m.target_id, 'type', m.type, 'state', m.before_state,
                   'attempts', m.attempts, 'externalId', m.external_id, 'externalUrl', m.external_url,
                   'lastError', m.last_error, 'config', t.config, 'secret', t.secret, 'deleted', t.deleted_at IS NOT NULL,
                   'previousId', tp.external_id, 'previousUrl', tp.external_url,
                   'claimed', EXISTS (SELECT 1 FROM claimed c WHERE c.target_id = m.target_id AND c.job_id = m.job_id))
                   ORDER BY m.position)
              FROM moved m
              JOIN publishing_targets t ON t.id = m.target_id
              LEFT JOIN target_posts tp ON tp.target_id = m.target_id AND tp.content_id = job.content_id
             WHERE m.job_id = job.id) AS targets,
           (SELECT count(*)::int FROM job_targets jt
             WHERE jt.job_id = job.id AND jt.state NOT IN ('pending', 'active', 'succeeded')) AS "othersOpen"
         FROM job`,
      [starts.map((s) => s.jobId), starts.map((s) => s.requestId)],
    );
    const byId = new Map(rows.map((row) => [row.id, row]));
    return starts.map(({ jobId }) => {
      const row = byId.get(jobId);
      return row && { job: row.job, targets: row.targets ?? [], othersOpen: row.othersOpen };
    });
  }

  /** One run's outcome: `settleMany` for one. */
  async settle(scope: SystemScope, job: JobRow, run: SettledRun): Promise<void> {
    await this.settleMany(scope, [{ job, run, events: outboxRecords(run.events) }]);
  }

  /**
   * Outcomes of several runs in one statement: targets, the posts
   * destinations now hold, the claims released, the jobs, their history and
   * their events (`events`: each run's outbox rows, made where it settled).
   */
  async settleMany(
    _scope: SystemScope,
    settled: { job: JobRow; run: SettledRun; events: OutboxRecord[] }[],
  ): Promise<void> {
    const targets = settled.flatMap(({ job, run }) => run.targets.map((t) => ({ jobId: job.id, ...t })));
    const posts = settled.flatMap(({ job, run }) =>
      run.posts.map((p) => ({ contentId: job.contentId, ...p })),
    );
    const history = settled.flatMap(({ job, run }) => run.history.map((h) => ({ jobId: job.id, ...h })));
    await this.sql.run(
      `WITH targets AS (
         UPDATE job_targets jt SET state = u.state, external_id = COALESCE(u.external_id, jt.external_id),
                external_url = COALESCE(u.external_url, jt.external_url), last_error = u.last_error, updated_at = now()
           FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[])
             AS u(job_id, target_id, state, external_id, external_url, last_error)
          WHERE jt.job_id = u.job_id AND jt.target_id = u.target_id),
       posts AS (
         INSERT INTO target_posts (target_id, content_id, external_id, external_url)
         SELECT DISTINCT ON (u.target_id, u.content_id) u.target_id, u.content_id, u.external_id, u.external_url
           FROM unnest($7::uuid[], $8::uuid[], $9::text[], $10::text[]) WITH ORDINALITY
             AS u(target_id, content_id, external_id, external_url, n)
          ORDER BY u.target_id, u.content_id, u.n DESC
         ON CONFLICT (target_id, content_id)
           DO UPDATE SET external_id = EXCLUDED.external_id, external_url = EXCLUDED.external_url, updated_at = now()),
       claims AS (DELETE FROM post_claims WHERE job_id = ANY($11::uuid[])),
       job AS (
         UPDATE publishing_jobs j SET state = u.state, updated_at = now(),
                completed_at = CASE WHEN u.state = 'completed' THEN now() ELSE NULL END
           FROM unnest($11::uuid[], $12::varchar[]) AS u(id, state)
          WHERE j.id = u.id),
       history AS (
         INSERT INTO job_events (job_id, target_id, state, detail)
         SELECT h.job_id, h.target_id::uuid, h.state, h.detail
           FROM unnest($13::uuid[], $14::text[], $15::text[], $16::text[]) WITH ORDINALITY AS h(job_id, target_id, state, detail, n)
          ORDER BY h.n),
       events AS (${outboxInsertSql(17)})
       SELECT 1`,
      [
        targets.map((t) => t.jobId),
        targets.map((t) => t.targetId),
        targets.map((t) => t.state),
        targets.map((t) => t.externalId),
        targets.map((t) => t.externalUrl),
        targets.map((t) => t.lastError),
        posts.map((p) => p.targetId),
        posts.map((p) => p.contentId),
        posts.map((p) => p.externalId),
        posts.map((p) => p.externalUrl),
        settled.map(({ job }) => job.id),
        settled.map(({ run }) => run.jobState),
        history.map((h) => h.jobId),
        history.map((h) => h.target),
        history.map((h) => h.state),
        history.map((h) => h.detail),
        JSON.stringify(settled.flatMap(({ events }) => events)),
      ],
    );
  }

  /** Dead-letters the job with its targets as they ended (after `settle`, in the same transaction). */
  async deadLetter(
    _scope: SystemScope,
    job: JobRow,
    errorType: 'transient' | 'validation' | 'system',
    message: string,
  ): Promise<string> {
    const targets = await this.sql.rows<JobTargetRow>(
      `SELECT ${JOB_TARGET_COLUMNS} FROM job_targets jt WHERE jt.job_id = $1 ORDER BY jt.position`,
      [job.id],
    );
    return insertDeadLetter(this.sql, job, errorType, message, targets, PUBLISHING_QUEUE);
  }
}
