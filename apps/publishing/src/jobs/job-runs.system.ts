import { Events, type JobTargetState } from '@smartbeak/contracts';
import {
  currentRequestId,
  outboxInsertFromSql,
  type OutboxEvent,
  outboxInsertSql,
  outboxRows,
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
   * Claims the job in one statement: `active`, attempts + 1; its open
   * targets `active` (those an earlier try left `active` keep that as their
   * "before" state, to be reconciled); the item × destination claims; the
   * history row and the `publishing.job.started` event. Undefined when the
   * job is finished.
   */
  async start(_scope: SystemScope, jobId: string): Promise<StartedRun | undefined> {
    const row = await this.sql.one<{
      job: JobRow | null;
      targets: StartedTargetRow[] | null;
      othersOpen: number;
    }>(
      `WITH job AS (
           UPDATE publishing_jobs SET state = 'active', attempts = attempts + 1, updated_at = now()
            WHERE id = $1 AND state NOT IN ('completed', 'failed') RETURNING *),
         before AS (
           SELECT jt.target_id, jt.state FROM job_targets jt JOIN job ON jt.job_id = job.id
            WHERE jt.state IN ('pending', 'active') FOR UPDATE OF jt),
         moved AS (
           UPDATE job_targets jt SET state = 'active', attempts = jt.attempts + 1, updated_at = now()
             FROM before b WHERE jt.job_id = $1 AND jt.target_id = b.target_id
           RETURNING jt.*, b.state AS before_state),
         claimed AS (
           INSERT INTO post_claims (target_id, content_id, job_id, until)
           SELECT m.target_id, job.content_id, job.id, now() + interval '10 minutes' FROM moved m, job
           ON CONFLICT (target_id, content_id) DO UPDATE SET job_id = EXCLUDED.job_id, until = EXCLUDED.until
             WHERE post_claims.until < now() OR post_claims.job_id = EXCLUDED.job_id
           RETURNING target_id),
         history AS (
           INSERT INTO job_events (job_id, state, detail) SELECT id, 'active', 'attempt ' || attempts FROM job),
         events AS (${outboxInsertFromSql(
           `SELECT '${Events.publishing.jobStarted}', id, org_id, domain_id,
                   jsonb_build_object('jobId', id, 'contentId', content_id, 'state', 'active', 'attempt', attempts)
              FROM job`,
           2,
         )})
         SELECT
           (SELECT json_build_object('id', id, 'orgId', org_id, 'domainId', domain_id, 'contentId', content_id,
                   'content', content, 'state', state, 'attempts', attempts, 'run', run, 'createdBy', created_by) FROM job) AS job,
           (SELECT json_agg(json_build_object(
                   'jobId', m.job_id, 'targetId', m.target_id, 'type', m.type, 'state', m.before_state,
                   'attempts', m.attempts, 'externalId', m.external_id, 'externalUrl', m.external_url,
                   'lastError', m.last_error, 'config', t.config, 'secret', t.secret, 'deleted', t.deleted_at IS NOT NULL,
                   'previousId', tp.external_id, 'previousUrl', tp.external_url,
                   'claimed', EXISTS (SELECT 1 FROM claimed c WHERE c.target_id = m.target_id)) ORDER BY m.position)
              FROM moved m
              JOIN publishing_targets t ON t.id = m.target_id
              LEFT JOIN target_posts tp ON tp.target_id = m.target_id AND tp.content_id = (SELECT content_id FROM job)) AS targets,
           (SELECT count(*)::int FROM job_targets jt JOIN job ON jt.job_id = job.id
             WHERE jt.state NOT IN ('pending', 'active', 'succeeded')) AS "othersOpen"`,
      [jobId, currentRequestId()],
    );
    if (!row?.job) return undefined;
    return { job: row.job, targets: row.targets ?? [], othersOpen: row.othersOpen };
  }

  /**
   * The outcome in one statement: targets, the posts destinations now hold,
   * the claims released, the job, its history and its events.
   */
  async settle(_scope: SystemScope, job: JobRow, run: SettledRun): Promise<void> {
    await this.sql.run(
      `WITH targets AS (
         UPDATE job_targets jt SET state = u.state, external_id = COALESCE(u.external_id, jt.external_id),
                external_url = COALESCE(u.external_url, jt.external_url), last_error = u.last_error, updated_at = now()
           FROM unnest($3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[])
             AS u(target_id, state, external_id, external_url, last_error)
          WHERE jt.job_id = $1 AND jt.target_id = u.target_id),
       posts AS (
         INSERT INTO target_posts (target_id, content_id, external_id, external_url)
         SELECT u.target_id, $8::uuid, u.external_id, u.external_url
           FROM unnest($9::uuid[], $10::text[], $11::text[]) AS u(target_id, external_id, external_url)
         ON CONFLICT (target_id, content_id)
           DO UPDATE SET external_id = EXCLUDED.external_id, external_url = EXCLUDED.external_url, updated_at = now()),
       claims AS (DELETE FROM post_claims WHERE job_id = $1),
       job AS (
         UPDATE publishing_jobs SET state = $2::varchar, updated_at = now(),
                completed_at = CASE WHEN $2::varchar = 'completed' THEN now() ELSE NULL END
          WHERE id = $1),
       history AS (
         INSERT INTO job_events (job_id, target_id, state, detail)
         SELECT $1, h.target_id::uuid, h.state, h.detail FROM unnest($12::text[], $13::text[], $14::text[]) AS h(target_id, state, detail)),
       events AS (${outboxInsertSql(15)})
       SELECT 1`,
      [
        job.id,
        run.jobState,
        run.targets.map((t) => t.targetId),
        run.targets.map((t) => t.state),
        run.targets.map((t) => t.externalId),
        run.targets.map((t) => t.externalUrl),
        run.targets.map((t) => t.lastError),
        job.contentId,
        run.posts.map((p) => p.targetId),
        run.posts.map((p) => p.externalId),
        run.posts.map((p) => p.externalUrl),
        run.history.map((h) => h.target),
        run.history.map((h) => h.state),
        run.history.map((h) => h.detail),
        outboxRows(run.events),
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
