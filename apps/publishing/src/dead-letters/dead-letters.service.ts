import { Injectable } from '@nestjs/common';
import { DomainAccess, requirePermissions } from '@smartbeak/auth';
import {
  type DeadLetterDto,
  type JobDto,
  type Page,
  type PageQueryDto,
  PublishingError,
  type RequestContext,
} from '@smartbeak/contracts';
import { DomainError } from '@smartbeak/errors';
import { Database, mapPage, scopeOf } from '@smartbeak/persistence';

import { JobOperations, jobNotFound } from '../jobs/job-operations.service';
import { JobsRepository } from '../jobs/jobs.repository';
import { JobQueue } from '../queues/job-queue';
import { DeadLettersRepository } from './dead-letters.repository';

/** The dead-letter queue: what it holds, and sending a job back. */
@Injectable()
export class DeadLettersService {
  constructor(
    private readonly db: Database,
    private readonly letters: DeadLettersRepository,
    private readonly jobs: JobsRepository,
    private readonly operations: JobOperations,
    private readonly queue: JobQueue,
    private readonly domains: DomainAccess,
  ) {}

  async list(ctx: RequestContext, query: PageQueryDto): Promise<Page<DeadLetterDto>> {
    requirePermissions(ctx, 'publishing:write');
    return mapPage(await this.letters.list(scopeOf(ctx), query), (row) => ({
      ...row,
      failedAt: row.failedAt.toISOString(),
      redrivenAt: row.redrivenAt ? row.redrivenAt.toISOString() : null,
    }));
  }

  /** Sends a dead-lettered job back onto its queue: its unfinished targets run again. */
  async redrive(ctx: RequestContext, id: string): Promise<JobDto> {
    requirePermissions(ctx, 'publishing:write');
    const scope = scopeOf(ctx);
    const job = await this.db.transaction(async (tx) => {
      const jobId = await this.letters.in(tx).markRedriven(scope, id);
      if (!jobId) {
        throw new DomainError(
          PublishingError.DEAD_LETTER_NOT_FOUND,
          'Dead letter not found (or already sent back)',
        );
      }
      const jobs = this.jobs.in(tx);
      const found = await jobs.find(scope, jobId, true);
      if (!found) throw jobNotFound();
      await this.domains.resolve(ctx, found.domainId); // a suspended domain publishes nothing
      return jobs.rerun(
        scope,
        found,
        ['failed', 'active', 'pending'],
        `${ctx.userId} sent it back from the dead-letter queue`,
      );
    });
    await this.queue.enqueue(job);
    return this.operations.view(scope, job.id);
  }
}
