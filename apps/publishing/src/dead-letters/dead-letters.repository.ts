import { type DeadLetterDto, type Page } from '@smartbeak/contracts';
import { isUuid, keysetPage, orgFilter, Repository, type TenantScope, Where } from '@smartbeak/persistence';

export type DeadLetterRow = Omit<DeadLetterDto, 'failedAt' | 'redrivenAt'> & {
  failedAt: Date;
  redrivenAt: Date | null;
};

/** Jobs that ended in the dead-letter queue, within one org (written by job-rows' insertDeadLetter). */
export class DeadLettersRepository extends Repository {
  list(scope: TenantScope, page: { limit?: number; cursor?: string }): Promise<Page<DeadLetterRow>> {
    return keysetPage<DeadLetterRow>(this.sql, {
      select: `SELECT id, job_id AS "jobId", original_queue AS "originalQueue", error_type AS "errorType",
                      error_message AS "errorMessage", failed_at AS "failedAt", retry_count AS "retryCount", payload,
                      redriven_at AS "redrivenAt"
                 FROM dead_letters`,
      where: new Where().add('org_id = ?', scope.orgId),
      sort: 'failed_at',
      kind: 'time',
      ...page,
      keyOf: (row) => [row.failedAt, row.id],
    });
  }

  /** Marks the letter sent back, once; its job id, or undefined when missing or already sent. */
  async markRedriven(scope: TenantScope, id: string): Promise<string | undefined> {
    if (!isUuid(id)) return undefined;
    const row = await this.sql.one<{ jobId: string }>(
      `UPDATE dead_letters SET redriven_at = now() WHERE id = $1 AND ${orgFilter('org_id', '$2')} AND redriven_at IS NULL
       RETURNING job_id AS "jobId"`,
      [id, scope.orgId],
    );
    return row?.jobId;
  }
}
