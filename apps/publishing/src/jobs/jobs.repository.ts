import { randomUUID } from 'node:crypto';

import { Events, type JobState, type Page, PublishingError } from '@smartbeak/contracts';
import { DomainError } from '@smartbeak/errors';
import { outboxInsertSql, outboxRows } from '@smartbeak/messaging';
import { isUuid, newestFirst, orgFilter, Repository, type TenantScope, Where } from '@smartbeak/persistence';

import { type PublishableContent } from '../adapters/adapter';
import { JOB_COLUMNS, JOB_TARGET_COLUMNS, type JobRow, type JobTargetRow, recordChange } from './job-rows';

export interface NewJobRow {
  domainId: string;
  contentId: string;
  snapshot: PublishableContent;
  actor: string;
  targetIds: string[];
  scheduledFor: Date | null;
}

export interface JobFilters {
  domainId?: string;
  state?: JobState;
  contentId?: string;
  limit?: number;
  cursor?: string;
}

/** Publishing jobs with their targets and history, within one org. Sweeps: jobs.system.ts. */
export class JobsRepository extends Repository {
  /** Writes one job: see insertMany. */
  async insert(scope: TenantScope, input: NewJobRow): Promise<{ job: JobRow; targets: JobTargetRow[] }> {
    const [made] = await this.insertMany(scope, [input]);
    return made!;
  }

  /**
   * Writes jobs, their targets, their history and their events in one
   * statement (each `pending` when scheduled, else `queued`); the answer is
   * in the order of `inputs`.
   */
  async insertMany(
    scope: TenantScope,
    inputs: NewJobRow[],
  ): Promise<{ job: JobRow; targets: JobTargetRow[] }[]> {
    if (!inputs.length) return [];
    const jobs = inputs.map((input) => {
      const scheduledFor = input.scheduledFor?.toISOString() ?? null;
      return {
        id: randomUUID(),
        domain_id: input.domainId,
        content_id: input.contentId,
        content: input.snapshot,
        state: scheduledFor ? 'pending' : 'queued',
        scheduled_for: scheduledFor,
        created_by: input.actor,
        target_ids: input.targetIds,
        detail: scheduledFor ? `scheduled for ${scheduledFor}` : null,
      };
    });
    const events = outboxRows(
      jobs.map((job) => ({
        type: Events.publishing.jobQueued,
        aggregateId: job.id,
        orgId: scope.orgId,
        domainId: job.domain_id,
        payload: {
          jobId: job.id,
          contentId: job.content_id,
          state: job.state,
          scheduledFor: job.scheduled_for,
        },
      })),
    );
    const rows = await this.sql.rows<{ job: Record<string, unknown>; targets: JobTargetRow[] | null }>(
      `WITH input AS (
         SELECT * FROM jsonb_to_recordset($2::jsonb)
           AS x(id uuid, domain_id uuid, content_id uuid, content jsonb, state varchar, scheduled_for timestamptz,
                created_by varchar, target_ids uuid[], detail text)),
       j AS (
         INSERT INTO publishing_jobs (id, org_id, domain_id, content_id, content, state, scheduled_for, created_by)
         SELECT id, $1, domain_id, content_id, content, state, scheduled_for, created_by FROM input RETURNING *),
       t AS (
         INSERT INTO job_targets (job_id, target_id, type, position, state)
         SELECT i.id, pt.id, pt.type, array_position(i.target_ids, pt.id), 'pending'
           FROM input i JOIN publishing_targets pt ON pt.id = ANY(i.target_ids) AND pt.org_id = $1
         RETURNING job_id AS "jobId", target_id AS "targetId", type, state, attempts, external_id AS "externalId",
                   external_url AS "externalUrl", last_error AS "lastError", position),
       history AS (INSERT INTO job_events (job_id, state, detail) SELECT id, state, detail FROM input),
       events AS (${outboxInsertSql(3)}),
       by_job AS (SELECT "jobId", json_agg(t ORDER BY t.position) AS targets FROM t GROUP BY "jobId")
       SELECT row_to_json(x) AS job, by_job.targets
         FROM (SELECT ${JOB_COLUMNS} FROM j) x LEFT JOIN by_job ON by_job."jobId" = x.id`,
      [scope.orgId, JSON.stringify(jobs), events],
    );
    const byId = new Map(rows.map((row) => [row.job['id'] as string, row]));
    return jobs.map(({ id }) => {
      const row = byId.get(id)!;
      const job = row.job as unknown as JobRow & {
        scheduledFor: string | null;
        createdAt: string;
        updatedAt: string;
      };
      return {
        job: {
          ...job,
          scheduledFor: job.scheduledFor ? new Date(job.scheduledFor) : null,
          createdAt: new Date(job.createdAt),
          updatedAt: new Date(job.updatedAt),
          completedAt: null,
        },
        targets: row.targets ?? [],
      };
    });
  }

  /** The job; `forUpdate` row-locks it until the caller's transaction ends. */
  async find(scope: TenantScope, id: string, forUpdate = false): Promise<JobRow | undefined> {
    if (!isUuid(id)) return undefined;
    return this.sql.one<JobRow>(
      `SELECT ${JOB_COLUMNS} FROM publishing_jobs j WHERE j.id = $1 AND ${orgFilter('j.org_id', '$2')} ${forUpdate ? 'FOR UPDATE' : ''}`,
      [id, scope.orgId],
    );
  }

  list(scope: TenantScope, filters: JobFilters): Promise<Page<JobRow>> {
    const where = new Where().add('j.org_id = ?', scope.orgId);
    if (filters.domainId) where.add('j.domain_id = ?', filters.domainId);
    if (filters.state) where.add('j.state = ?', filters.state);
    if (filters.contentId) where.add('j.content_id = ?', filters.contentId);
    return newestFirst<JobRow>(this.sql, `SELECT ${JOB_COLUMNS} FROM publishing_jobs j`, where, filters, 'j');
  }

  /** The targets of the org's jobs among `jobIds`, by job, in the order they were asked for. */
  async targetsOf(scope: TenantScope, jobIds: string[]): Promise<Map<string, JobTargetRow[]>> {
    const byJob = new Map<string, JobTargetRow[]>();
    if (!jobIds.length) return byJob;
    const rows = await this.sql.rows<JobTargetRow>(
      `SELECT ${JOB_TARGET_COLUMNS} FROM job_targets jt JOIN publishing_jobs j ON j.id = jt.job_id
        WHERE jt.job_id = ANY($1::uuid[]) AND ${orgFilter('j.org_id', '$2')} ORDER BY jt.job_id, jt.position`,
      [jobIds, scope.orgId],
    );
    for (const row of rows) byJob.set(row.jobId, [...(byJob.get(row.jobId) ?? []), row]);
    return byJob;
  }

  /** A new run of `job` for its targets in `states` (reset to pending), recorded. */
  async rerun(
    scope: TenantScope,
    job: JobRow,
    states: string[],
    detail: string,
    onlyTarget?: string,
  ): Promise<JobRow> {
    const reset = await this.sql.rows<{ targetId: string }>(
      `UPDATE job_targets jt SET state = 'pending', last_error = NULL, updated_at = now()
         FROM publishing_jobs j
        WHERE j.id = jt.job_id AND j.org_id = $4 AND jt.job_id = $1 AND jt.state = ANY($2::text[])
          AND ($3::uuid IS NULL OR jt.target_id = $3::uuid)
        RETURNING jt.target_id AS "targetId"`,
      [job.id, states, onlyTarget ?? null, scope.orgId],
    );
    if (!reset.length)
      throw new DomainError(PublishingError.NOTHING_TO_RETRY, 'No target of this job needs another try');
    const next = await this.sql.one<JobRow>(
      `UPDATE publishing_jobs j SET state = 'queued', run = run + 1, scheduled_for = NULL, completed_at = NULL, updated_at = now()
        WHERE id = $1 AND ${orgFilter('org_id', '$2')} RETURNING ${JOB_COLUMNS}`,
      [job.id, scope.orgId],
    );
    await recordChange(this.sql, next!, {
      state: 'queued',
      detail,
      targets: reset.map((t) => ({ targetId: t.targetId, state: 'pending' as const })),
    });
    return next!;
  }

  /** Marks a target succeeded by hand; the job completes when none is left open. Recorded. */
  async confirmTarget(scope: TenantScope, job: JobRow, targetId: string, detail: string): Promise<void> {
    await this.sql.run(
      `UPDATE job_targets jt SET state = 'succeeded', last_error = NULL, updated_at = now()
         FROM publishing_jobs j WHERE j.id = jt.job_id AND j.org_id = $3 AND jt.job_id = $1 AND jt.target_id = $2`,
      [job.id, targetId, scope.orgId],
    );
    const open = await this.sql.one<{ open: number }>(
      `SELECT count(*)::int AS open FROM job_targets WHERE job_id = $1 AND state <> 'succeeded'`,
      [job.id],
    );
    const state = open?.open === 0 ? 'completed' : job.state;
    await this.sql.run(
      `UPDATE publishing_jobs SET state = $2::varchar, updated_at = now(),
              completed_at = CASE WHEN $2::varchar = 'completed' THEN now() ELSE completed_at END
        WHERE id = $1 AND org_id = $3`,
      [job.id, state, scope.orgId],
    );
    await recordChange(this.sql, job, {
      state,
      detail,
      targets: [{ targetId, state: 'succeeded', detail: 'confirmed by hand' }],
    });
  }
}
