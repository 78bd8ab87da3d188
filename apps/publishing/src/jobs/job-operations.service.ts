import { Injectable } from '@nestjs/common';
import { DomainAccess, requirePermissions } from '@smartbeak/auth';
import {
  type JobDto,
  type ListJobsQueryDto,
  type Page,
  PublishingError,
  type RequestContext,
  type ResolveTargetRequestDto,
} from '@smartbeak/contracts';
import { DomainError } from '@smartbeak/errors';
import { Database, type OrgScope, scopeOf } from '@smartbeak/persistence';

import { JobQueue } from '../queues/job-queue';
import { type JobRow, toJobDto } from './job-rows';
import { JobsRepository } from './jobs.repository';

export function jobNotFound(): DomainError {
  return new DomainError(PublishingError.JOB_NOT_FOUND, 'Publishing job not found');
}

/** Reading jobs, and what a user does to a finished one: retry, settle an unconfirmed target. */
@Injectable()
export class JobOperations {
  constructor(
    private readonly db: Database,
    private readonly jobs: JobsRepository,
    private readonly queue: JobQueue,
    private readonly domains: DomainAccess,
  ) {}

  async get(ctx: RequestContext, id: string): Promise<JobDto> {
    requirePermissions(ctx, 'content:read');
    return this.view(scopeOf(ctx), id);
  }

  async list(ctx: RequestContext, query: ListJobsQueryDto): Promise<Page<JobDto>> {
    requirePermissions(ctx, 'content:read');
    const scope = scopeOf(ctx);
    const domainId = query.domainId ?? ctx.domainId;
    const page = await this.jobs.list(scope, {
      domainId: domainId ? (await this.domains.resolve(ctx, domainId)).id : undefined,
      state: query.state,
      contentId: query.contentId,
      limit: query.limit,
      cursor: query.cursor,
    });
    const targets = await this.jobs.targetsOf(
      scope,
      page.items.map((job) => job.id),
    );
    return {
      items: page.items.map((job) => toJobDto(job, targets.get(job.id) ?? [])),
      nextCursor: page.nextCursor,
    };
  }

  /** Runs the failed targets again (the ones that succeeded are left alone). */
  async retry(ctx: RequestContext, id: string): Promise<JobDto> {
    requirePermissions(ctx, 'content:publish');
    const scope = scopeOf(ctx);
    const job = await this.db.transaction(async (tx) => {
      const jobs = this.jobs.in(tx);
      const found = await jobs.find(scope, id, true);
      if (!found) throw jobNotFound();
      await this.domains.resolve(ctx, found.domainId); // a suspended domain publishes nothing
      if (found.state !== 'failed' && found.state !== 'completed') {
        throw new DomainError(
          PublishingError.NOTHING_TO_RETRY,
          `The job is ${found.state}; only a finished job can be retried`,
        );
      }
      return jobs.rerun(scope, found, ['failed'], 'retry requested');
    });
    await this.queue.enqueue(job);
    return this.view(scope, job.id);
  }

  /** Settles an `unconfirmed` target: the user checked the destination (`mark-succeeded`) or wants it tried again. */
  async resolveTarget(ctx: RequestContext, input: ResolveTargetRequestDto): Promise<JobDto> {
    requirePermissions(ctx, 'content:publish');
    const scope = scopeOf(ctx);
    const requeue = await this.db.transaction(async (tx): Promise<JobRow | null> => {
      const jobs = this.jobs.in(tx);
      const job = await jobs.find(scope, input.id, true);
      if (!job) throw jobNotFound();
      await this.domains.resolve(ctx, job.domainId);
      const target = (await jobs.targetsOf(scope, [job.id]))
        .get(job.id)
        ?.find((t) => t.targetId === input.targetId);
      if (!target) throw new DomainError(PublishingError.TARGET_NOT_FOUND, 'This job has no such target');
      if (target.state !== 'unconfirmed') {
        throw new DomainError(
          PublishingError.NOTHING_TO_RETRY,
          `The target is ${target.state}, not unconfirmed`,
        );
      }
      if (input.action === 'retry') {
        return jobs.rerun(
          scope,
          job,
          ['unconfirmed'],
          `${ctx.userId} asked to retry ${target.targetId}`,
          target.targetId,
        );
      }
      await jobs.confirmTarget(
        scope,
        job,
        target.targetId,
        `${ctx.userId} confirmed ${target.targetId} by hand`,
      );
      return null;
    });
    if (requeue) await this.queue.enqueue(requeue);
    return this.view(scope, input.id);
  }

  /** One job with its targets, as the API shows it. */
  async view(scope: OrgScope, id: string): Promise<JobDto> {
    const job = await this.jobs.find(scope, id);
    if (!job) throw jobNotFound();
    return toJobDto(job, (await this.jobs.targetsOf(scope, [job.id])).get(job.id) ?? []);
  }
}
