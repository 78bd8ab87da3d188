import { randomUUID } from 'node:crypto';

import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DomainAccess, requirePermissions } from '@smartbeak/auth';
import {
  type ContentItemDto,
  type CreateJobDto,
  type DeadLetterDto,
  Events,
  type JobDto,
  type ListJobsQueryDto,
  type MediaAssetDto,
  type Page,
  type PageQueryDto,
  Patterns,
  type Permission,
  PublishingError,
  type RequestContext,
  type ResolveTargetRequestDto,
} from '@smartbeak/contracts';
import { DomainError } from '@smartbeak/errors';
import { outboxInsertSql, outboxRows, RpcClient } from '@smartbeak/messaging';
import { currentRequestScope } from '@smartbeak/observability';
import { decodeTimeCursor, encodeCursor, pageSize } from '@smartbeak/persistence';
import { SERVICE_CONFIG } from '@smartbeak/runtime';
import { type Queue } from 'bullmq';
import { DataSource, type EntityManager } from 'typeorm';

import { type PublishableContent } from '../adapters/adapter';
import { PublishingConfig } from '../config/publishing.config';
import { PUBLISHING_QUEUE, queueJobId } from '../publishing.tokens';
import { TargetsService } from '../targets/targets.service';
import {
  insertDeadLetter,
  JOB_COLUMNS,
  JOB_TARGET_COLUMNS,
  type JobRow,
  type JobTargetRow,
  recordChange,
  toJobDto,
} from './job-store';

/** How publishing asks other services on its own behalf, for one org (and the request at hand, if any). */
function serviceContext(orgId: string, permissions: Permission[]): RequestContext {
  return {
    userId: 'publishing',
    orgId,
    domainId: null,
    permissions,
    requestId: currentRequestScope()?.requestId ?? randomUUID(),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PUBLISHABLE = new Set(['review', 'scheduled', 'published']);

export interface NewJob {
  orgId: string;
  actor: string;
  content: ContentItemDto;
  hostname: string;
  targetIds: string[];
  scheduledFor: Date | null;
  featuredImage?: PublishableContent['featuredImage'];
}

@Injectable()
export class JobsService {
  private readonly logger = new Logger(JobsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(PUBLISHING_QUEUE) private readonly queue: Queue,
    @Inject(SERVICE_CONFIG) private readonly config: PublishingConfig,
    private readonly targets: TargetsService,
    private readonly domains: DomainAccess,
    private readonly rpc: RpcClient,
  ) {}

  async create(ctx: RequestContext, input: CreateJobDto): Promise<JobDto> {
    requirePermissions(ctx, 'content:publish');
    const content = await this.content(ctx.orgId, input.contentId);
    if (!PUBLISHABLE.has(content.status)) {
      throw new DomainError(
        PublishingError.CONTENT_NOT_PUBLISHABLE,
        `Content in ${content.status} cannot be published; it must be in review, scheduled or published`,
        [{ field: 'contentId', message: `the item is ${content.status}` }],
      );
    }
    let scheduledFor: Date | null = null;
    if (input.scheduledFor) {
      scheduledFor = new Date(input.scheduledFor);
      if (scheduledFor.getTime() <= Date.now()) {
        throw DomainError.validation([
          { field: 'scheduledFor', message: 'scheduledFor must be in the future' },
        ]);
      }
    }
    const domain = await this.domains.resolve(ctx, content.domainId);
    const featuredImage = input.featuredMediaId
      ? await this.featuredImage(ctx.orgId, content.domainId, input.featuredMediaId)
      : null;
    const found: { id: string; domainId: string }[] = await this.dataSource.query(
      `SELECT id, domain_id AS "domainId" FROM publishing_targets WHERE org_id = $1 AND id = ANY($2::uuid[]) AND deleted_at IS NULL`,
      [ctx.orgId, input.targetIds],
    );
    const missing = input.targetIds.filter((id) => !found.some((target) => target.id === id));
    if (missing.length) {
      throw new DomainError(
        PublishingError.TARGET_NOT_FOUND,
        `Publishing target not found: ${missing.join(', ')}`,
        [{ field: 'targetIds', message: `unknown: ${missing.join(', ')}` }],
      );
    }
    const elsewhere = found.filter((target) => target.domainId !== content.domainId);
    if (elsewhere.length) {
      throw new DomainError(
        PublishingError.CONTENT_NOT_PUBLISHABLE,
        "Every target must belong to the content's domain",
        elsewhere.map((target) => ({
          field: 'targetIds',
          message: `${target.id} belongs to another domain`,
        })),
      );
    }
    const { job, targets } = await this.insert(this.dataSource.manager, {
      orgId: ctx.orgId,
      actor: ctx.userId,
      content,
      hostname: domain.hostname,
      targetIds: input.targetIds,
      scheduledFor,
      featuredImage,
    });
    await this.enqueue(job);
    return toJobDto(job, targets);
  }

  /**
   * Writes a job, its targets, its history and its event in one statement
   * (`pending` when scheduled, else `queued`); `enqueue` after commit.
   */
  async insert(manager: EntityManager, input: NewJob): Promise<{ job: JobRow; targets: JobTargetRow[] }> {
    const id = randomUUID();
    const state = input.scheduledFor ? 'pending' : 'queued';
    const snapshot: PublishableContent = {
      id: input.content.id,
      version: input.content.version,
      title: input.content.title,
      slug: input.content.slug,
      body: input.content.body,
      excerpt: input.content.excerpt,
      tags: input.content.tags,
      url: `https://${input.hostname}/${input.content.slug}`,
      featuredImage: input.featuredImage ?? null,
    };
    const detail = input.scheduledFor ? `scheduled for ${input.scheduledFor.toISOString()}` : null;
    const events = outboxRows([
      {
        type: Events.publishing.jobQueued,
        aggregateId: id,
        orgId: input.orgId,
        domainId: input.content.domainId,
        payload: {
          jobId: id,
          contentId: input.content.id,
          state,
          scheduledFor: input.scheduledFor?.toISOString() ?? null,
        },
      },
    ]);
    const [row]: { job: JobRow; targets: JobTargetRow[] }[] = await manager.query(
      `WITH j AS (
         INSERT INTO publishing_jobs (id, org_id, domain_id, content_id, content, state, scheduled_for, created_by)
         VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8) RETURNING *),
       t AS (
         INSERT INTO job_targets (job_id, target_id, type, position, state)
         SELECT $1, pt.id, pt.type, array_position($9::uuid[], pt.id), 'pending'
           FROM publishing_targets pt WHERE pt.id = ANY($9::uuid[])
         RETURNING job_id AS "jobId", target_id AS "targetId", type, state, attempts, external_id AS "externalId",
                   external_url AS "externalUrl", last_error AS "lastError", position),
       history AS (INSERT INTO job_events (job_id, state, detail) SELECT id, state, $10 FROM j),
       events AS (${outboxInsertSql(11)})
       SELECT (SELECT row_to_json(x) FROM (SELECT ${JOB_COLUMNS} FROM j) x) AS job,
              (SELECT coalesce(json_agg(t ORDER BY t.position), '[]'::json) FROM t) AS targets`,
      [
        id,
        input.orgId,
        input.content.domainId,
        input.content.id,
        JSON.stringify(snapshot),
        state,
        input.scheduledFor,
        input.actor,
        input.targetIds,
        detail,
        events,
      ],
    );
    const job = row?.job as JobRow & {
      scheduledFor: string | null;
      createdAt: string;
      updatedAt: string;
      completedAt: null;
    };
    return {
      job: {
        ...job,
        scheduledFor: job.scheduledFor ? new Date(job.scheduledFor) : null,
        createdAt: new Date(job.createdAt),
        updatedAt: new Date(job.updatedAt),
        completedAt: null,
      },
      targets: row?.targets ?? [],
    };
  }

  /** Puts the job's current run on the queue (delayed to scheduledFor); a repeat add is ignored. */
  async enqueue(job: Pick<JobRow, 'id' | 'run' | 'scheduledFor'>): Promise<void> {
    const delay = job.scheduledFor ? Math.max(0, job.scheduledFor.getTime() - Date.now()) : 0;
    try {
      await this.queue.add(
        'publish',
        { jobId: job.id },
        {
          jobId: queueJobId(job.id, job.run),
          delay,
          attempts: this.config.PUBLISHING_MAX_ATTEMPTS,
          backoff: { type: 'jittered' },
          removeOnComplete: { age: 24 * 3600, count: 10_000 },
          removeOnFail: { age: 7 * 24 * 3600 },
        },
      );
    } catch (error) {
      // The job is recorded; the sweeper queues it when Redis is back.
      this.logger.warn(`could not queue job ${job.id}: ${(error as Error).message}`);
    }
  }

  async get(ctx: RequestContext, id: string): Promise<JobDto> {
    requirePermissions(ctx, 'content:read');
    return this.view(ctx.orgId, id);
  }

  private async view(orgId: string, id: string): Promise<JobDto> {
    const job = await this.findJob(this.dataSource.manager, orgId, id);
    return toJobDto(
      job,
      await this.jobTargets(this.dataSource.manager, [job.id]).then((m) => m.get(job.id) ?? []),
    );
  }

  async list(ctx: RequestContext, query: ListJobsQueryDto): Promise<Page<JobDto>> {
    requirePermissions(ctx, 'content:read');
    const params: unknown[] = [ctx.orgId];
    const where = ['j.org_id = $1'];
    const domainId = query.domainId ?? ctx.domainId;
    if (domainId) {
      params.push((await this.domains.resolve(ctx, domainId)).id);
      where.push(`j.domain_id = $${params.length}`);
    }
    if (query.state) {
      params.push(query.state);
      where.push(`j.state = $${params.length}`);
    }
    if (query.contentId) {
      params.push(query.contentId);
      where.push(`j.content_id = $${params.length}`);
    }
    if (query.cursor) {
      const [at, id] = decodeTimeCursor(query.cursor);
      params.push(at, id);
      where.push(`(j.created_at, j.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    const limit = pageSize(query.limit);
    params.push(limit + 1);
    const rows: JobRow[] = await this.dataSource.query(
      `SELECT ${JOB_COLUMNS} FROM publishing_jobs j WHERE ${where.join(' AND ')}
        ORDER BY j.created_at DESC, j.id DESC LIMIT $${params.length}`,
      params,
    );
    const items = rows.slice(0, limit);
    const targets = await this.jobTargets(
      this.dataSource.manager,
      items.map((job) => job.id),
    );
    const last = items[items.length - 1];
    return {
      items: items.map((job) => toJobDto(job, targets.get(job.id) ?? [])),
      nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null,
    };
  }

  /** Runs the failed targets again (the ones that succeeded are left alone). */
  async retry(ctx: RequestContext, id: string): Promise<JobDto> {
    requirePermissions(ctx, 'content:publish');
    const job = await this.dataSource.transaction(async (manager) => {
      const found = await this.findJob(manager, ctx.orgId, id, true);
      if (found.state !== 'failed' && found.state !== 'completed') {
        throw new DomainError(
          PublishingError.NOTHING_TO_RETRY,
          `The job is ${found.state}; only a finished job can be retried`,
        );
      }
      return this.rerun(manager, found, ['failed'], 'retry requested');
    });
    await this.enqueue(job);
    return this.view(ctx.orgId, job.id);
  }

  /** Settles an `unconfirmed` target: the user checked the destination (`mark-succeeded`) or wants it tried again. */
  async resolveTarget(ctx: RequestContext, input: ResolveTargetRequestDto): Promise<JobDto> {
    requirePermissions(ctx, 'content:publish');
    const requeue = await this.dataSource.transaction(async (manager) => {
      const job = await this.findJob(manager, ctx.orgId, input.id, true);
      const [target] =
        (await this.jobTargets(manager, [job.id]))
          .get(job.id)
          ?.filter((t) => t.targetId === input.targetId) ?? [];
      if (!target) throw new DomainError(PublishingError.TARGET_NOT_FOUND, 'This job has no such target');
      if (target.state !== 'unconfirmed') {
        throw new DomainError(
          PublishingError.NOTHING_TO_RETRY,
          `The target is ${target.state}, not unconfirmed`,
        );
      }
      if (input.action === 'retry')
        return this.rerun(
          manager,
          job,
          ['unconfirmed'],
          `${ctx.userId} asked to retry ${target.targetId}`,
          target.targetId,
        );
      await manager.query(
        `UPDATE job_targets SET state = 'succeeded', last_error = NULL, updated_at = now() WHERE job_id = $1 AND target_id = $2`,
        [job.id, target.targetId],
      );
      const [{ open }]: { open: number }[] = await manager.query(
        `SELECT count(*)::int AS open FROM job_targets WHERE job_id = $1 AND state <> 'succeeded'`,
        [job.id],
      );
      const state = open === 0 ? 'completed' : job.state;
      await manager.query(
        `UPDATE publishing_jobs SET state = $2::varchar, updated_at = now(),
                completed_at = CASE WHEN $2::varchar = 'completed' THEN now() ELSE completed_at END WHERE id = $1`,
        [job.id, state],
      );
      await recordChange(manager, job, {
        state,
        detail: `${ctx.userId} confirmed ${target.targetId} by hand`,
        targets: [{ targetId: target.targetId, state: 'succeeded', detail: 'confirmed by hand' }],
      });
      return null;
    });
    if (requeue) await this.enqueue(requeue);
    return this.view(ctx.orgId, input.id);
  }

  async deadLetters(ctx: RequestContext, query: PageQueryDto): Promise<Page<DeadLetterDto>> {
    requirePermissions(ctx, 'publishing:write');
    const params: unknown[] = [ctx.orgId];
    let after = '';
    if (query.cursor) {
      const [at, id] = decodeTimeCursor(query.cursor);
      params.push(at, id);
      after = 'AND (failed_at, id) < ($2::timestamptz, $3::uuid)';
    }
    const limit = pageSize(query.limit);
    params.push(limit + 1);
    const rows: (Omit<DeadLetterDto, 'failedAt' | 'redrivenAt'> & {
      failedAt: Date;
      redrivenAt: Date | null;
    })[] = await this.dataSource.query(
      `SELECT id, job_id AS "jobId", original_queue AS "originalQueue", error_type AS "errorType",
                error_message AS "errorMessage", failed_at AS "failedAt", retry_count AS "retryCount", payload,
                redriven_at AS "redrivenAt"
           FROM dead_letters WHERE org_id = $1 ${after} ORDER BY failed_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map((row) => ({
        ...row,
        failedAt: row.failedAt.toISOString(),
        redrivenAt: row.redrivenAt ? row.redrivenAt.toISOString() : null,
      })),
      nextCursor: rows.length > limit && last ? encodeCursor(last.failedAt, last.id) : null,
    };
  }

  /** Sends a dead-lettered job back onto its queue: its unfinished targets run again. */
  async redrive(ctx: RequestContext, id: string): Promise<JobDto> {
    requirePermissions(ctx, 'publishing:write');
    const job = await this.dataSource.transaction(async (manager) => {
      const rows: { jobId: string }[] = UUID.test(id)
        ? await manager
            .query(
              `UPDATE dead_letters SET redriven_at = now() WHERE id = $1 AND org_id = $2 AND redriven_at IS NULL RETURNING job_id AS "jobId"`,
              [id, ctx.orgId],
            )
            .then((result: [{ jobId: string }[], number]) => result[0])
        : [];
      if (!rows[0]) {
        throw new DomainError(
          PublishingError.DEAD_LETTER_NOT_FOUND,
          'Dead letter not found (or already sent back)',
        );
      }
      const found = await this.findJob(manager, ctx.orgId, rows[0].jobId, true);
      return this.rerun(
        manager,
        found,
        ['failed', 'active', 'pending'],
        `${ctx.userId} sent it back from the dead-letter queue`,
      );
    });
    await this.enqueue(job);
    return this.view(ctx.orgId, job.id);
  }

  /**
   * Jobs that should be running and are not: a scheduled job never started
   * (its delayed job lost, Redis flushed) or a queued/running one whose queue
   * job is gone — queued again; one whose queue job failed outright (a crash
   * loop, a bug) — dead-lettered as a system error. Nothing stays open forever.
   */
  async sweep(graceMs: number, batch = 200): Promise<{ requeued: number; deadLettered: number }> {
    const rows: JobRow[] = await this.dataSource.query(
      `SELECT ${JOB_COLUMNS} FROM publishing_jobs j
        WHERE state IN ('pending', 'queued', 'active', 'retrying')
          AND CASE WHEN state = 'pending' AND scheduled_for IS NOT NULL
                   THEN scheduled_for < now() - interval '1 minute'
                   ELSE updated_at < now() - make_interval(secs => $1::float8 / 1000) END
        ORDER BY updated_at LIMIT $2`,
      [graceMs, batch],
    );
    let requeued = 0;
    let deadLettered = 0;
    for (const job of rows) {
      const queued = await this.queue.getJob(queueJobId(job.id, job.run));
      const state = queued ? await queued.getState() : 'missing';
      if (['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'].includes(state)) {
        if (state !== 'delayed' || job.state !== 'pending') continue;
        await queued?.promote().catch(() => undefined); // overdue: run it now
        requeued++;
        continue;
      }
      if (state === 'failed') {
        await this.dataSource.transaction(async (manager) => {
          const [locked]: JobRow[] = await manager.query(
            `SELECT ${JOB_COLUMNS} FROM publishing_jobs j WHERE id = $1 AND state IN ('pending', 'queued', 'active', 'retrying') FOR UPDATE`,
            [job.id],
          );
          if (!locked) return;
          await manager.query(
            `UPDATE publishing_jobs SET state = 'failed', updated_at = now() WHERE id = $1`,
            [job.id],
          );
          const targets: JobTargetRow[] = await manager.query(
            `SELECT ${JOB_TARGET_COLUMNS} FROM job_targets jt WHERE jt.job_id = $1 ORDER BY jt.position`,
            [job.id],
          );
          await insertDeadLetter(
            manager,
            locked,
            'system',
            queued?.failedReason ?? 'the queue job failed',
            targets,
            PUBLISHING_QUEUE,
          );
          await recordChange(manager, locked, {
            state: 'failed',
            detail: `dead-lettered (system): ${queued?.failedReason ?? ''}`,
          });
        });
        deadLettered++;
        continue;
      }
      // Missing, or completed without the job finishing: a new run.
      const next = await this.dataSource.transaction(async (manager) => {
        const [updated]: JobRow[] = await manager
          .query(
            `UPDATE publishing_jobs j SET run = run + 1, scheduled_for = NULL, updated_at = now()
              WHERE id = $1 AND run = $2 AND state IN ('pending', 'queued', 'active', 'retrying') RETURNING ${JOB_COLUMNS}`,
            [job.id, job.run],
          )
          .then((result: [JobRow[], number]) => result[0]);
        if (updated)
          await recordChange(manager, updated, {
            state: updated.state,
            detail: `requeued by the sweeper (queue job ${state})`,
          });
        return updated;
      });
      if (next) {
        await this.enqueue(next);
        requeued++;
      }
    }
    if (requeued || deadLettered)
      this.logger.warn(`sweep: ${requeued} requeued, ${deadLettered} dead-lettered`);
    return { requeued, deadLettered };
  }

  /** The domain's host name, for the item's canonical URL. */
  async hostnameOf(orgId: string, domainId: string): Promise<string> {
    return (await this.domains.resolve(serviceContext(orgId, []), domainId)).hostname;
  }

  /** A ready image of the org's media library, in the content's domain. */
  private async featuredImage(
    orgId: string,
    domainId: string,
    mediaId: string,
  ): Promise<NonNullable<PublishableContent['featuredImage']>> {
    const asset = await this.rpc.send<MediaAssetDto>(Patterns.media.assetGet, {
      ctx: serviceContext(orgId, ['content:read']),
      payload: { id: mediaId },
    });
    if (
      asset.domainId !== domainId ||
      asset.status !== 'ready' ||
      !asset.cdnUrl ||
      !asset.contentType.startsWith('image/')
    ) {
      throw new DomainError(
        PublishingError.CONTENT_NOT_PUBLISHABLE,
        'The featured image must be a ready image of the same domain',
        [{ field: 'featuredMediaId', message: `the asset is ${asset.status} ${asset.contentType}` }],
      );
    }
    return { url: asset.cdnUrl, filename: asset.filename, contentType: asset.contentType };
  }

  /** The content item, as content answers it for this org. */
  async content(orgId: string, contentId: string): Promise<ContentItemDto> {
    return this.rpc.send<ContentItemDto>(Patterns.content.get, {
      ctx: serviceContext(orgId, ['content:read']),
      payload: { id: contentId },
    });
  }

  /** A new run of `job` for its targets in `states` (reset to pending). */
  private async rerun(
    manager: EntityManager,
    job: JobRow,
    states: string[],
    detail: string,
    onlyTarget?: string,
  ): Promise<JobRow> {
    const reset: { targetId: string }[] = await manager
      .query(
        `UPDATE job_targets SET state = 'pending', last_error = NULL, updated_at = now()
          WHERE job_id = $1 AND state = ANY($2::text[]) AND ($3::uuid IS NULL OR target_id = $3::uuid)
          RETURNING target_id AS "targetId"`,
        [job.id, states, onlyTarget ?? null],
      )
      .then((result: [{ targetId: string }[], number]) => result[0]);
    if (!reset.length)
      throw new DomainError(PublishingError.NOTHING_TO_RETRY, 'No target of this job needs another try');
    const [next]: JobRow[] = await manager
      .query(
        `UPDATE publishing_jobs j SET state = 'queued', run = run + 1, scheduled_for = NULL, completed_at = NULL, updated_at = now()
          WHERE id = $1 RETURNING ${JOB_COLUMNS}`,
        [job.id],
      )
      .then((result: [JobRow[], number]) => result[0]);
    await recordChange(manager, next as JobRow, {
      state: 'queued',
      detail,
      targets: reset.map((t) => ({ targetId: t.targetId, state: 'pending' as const })),
    });
    return next as JobRow;
  }

  private async findJob(
    manager: EntityManager,
    orgId: string,
    id: string,
    forUpdate = false,
  ): Promise<JobRow> {
    const rows: JobRow[] = UUID.test(id)
      ? await manager.query(
          `SELECT ${JOB_COLUMNS} FROM publishing_jobs j WHERE j.id = $1 AND j.org_id = $2 ${forUpdate ? 'FOR UPDATE' : ''}`,
          [id, orgId],
        )
      : [];
    if (!rows[0]) throw new DomainError(PublishingError.JOB_NOT_FOUND, 'Publishing job not found');
    return rows[0];
  }

  private async jobTargets(manager: EntityManager, jobIds: string[]): Promise<Map<string, JobTargetRow[]>> {
    const byJob = new Map<string, JobTargetRow[]>();
    if (!jobIds.length) return byJob;
    const rows: JobTargetRow[] = await manager.query(
      `SELECT ${JOB_TARGET_COLUMNS} FROM job_targets jt WHERE jt.job_id = ANY($1::uuid[]) ORDER BY jt.job_id, jt.position`,
      [jobIds],
    );
    for (const row of rows) byJob.set(row.jobId, [...(byJob.get(row.jobId) ?? []), row]);
    return byJob;
  }
}
