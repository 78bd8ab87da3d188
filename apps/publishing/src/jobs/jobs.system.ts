import { Repository, type SystemScope } from '@smartbeak/persistence';

import { PUBLISHING_QUEUE } from '../queues/queues';
import {
  insertDeadLetter,
  JOB_COLUMNS,
  JOB_TARGET_COLUMNS,
  type JobRow,
  type JobTargetRow,
  recordChange,
} from './job-rows';

const OPEN = `('pending', 'queued', 'active', 'retrying')`;

/** Publishing jobs across every org, on purpose: the sweeper's queries. */
export class JobsSystem extends Repository {
  /** Open jobs untouched for `graceMs` (scheduled ones: over a minute past their time). */
  stale(_scope: SystemScope, graceMs: number, batch: number): Promise<JobRow[]> {
    return this.sql.rows<JobRow>(
      `SELECT ${JOB_COLUMNS} FROM publishing_jobs j
        WHERE state IN ${OPEN}
          AND CASE WHEN state = 'pending' AND scheduled_for IS NOT NULL
                   THEN scheduled_for < now() - interval '1 minute'
                   ELSE updated_at < now() - make_interval(secs => $1::float8 / 1000) END
        ORDER BY updated_at LIMIT $2`,
      [graceMs, batch],
    );
  }

  /**
   * Fails a job whose queue job failed outright and dead-letters it as a
   * system error. Call it inside a transaction (`in(tx)`). False when the job
   * was no longer open.
   */
  async deadLetterStuck(_scope: SystemScope, jobId: string, reason: string): Promise<boolean> {
    const locked = await this.sql.one<JobRow>(
      `SELECT ${JOB_COLUMNS} FROM publishing_jobs j WHERE id = $1 AND state IN ${OPEN} FOR UPDATE`,
      [jobId],
    );
    if (!locked) return false;
    await this.sql.run(`UPDATE publishing_jobs SET state = 'failed', updated_at = now() WHERE id = $1`, [
      jobId,
    ]);
    const targets = await this.sql.rows<JobTargetRow>(
      `SELECT ${JOB_TARGET_COLUMNS} FROM job_targets jt WHERE jt.job_id = $1 ORDER BY jt.position`,
      [jobId],
    );
    await insertDeadLetter(this.sql, locked, 'system', reason, targets, PUBLISHING_QUEUE);
    await recordChange(this.sql, locked, { state: 'failed', detail: `dead-lettered (system): ${reason}` });
    return true;
  }

  /** A new run of an open job whose queue job is gone (call inside a transaction). */
  async newRun(_scope: SystemScope, job: JobRow, why: string): Promise<JobRow | undefined> {
    const updated = await this.sql.one<JobRow>(
      `UPDATE publishing_jobs j SET run = run + 1, scheduled_for = NULL, updated_at = now()
        WHERE id = $1 AND run = $2 AND state IN ${OPEN} RETURNING ${JOB_COLUMNS}`,
      [job.id, job.run],
    );
    if (updated) await recordChange(this.sql, updated, { state: updated.state, detail: why });
    return updated;
  }
}
