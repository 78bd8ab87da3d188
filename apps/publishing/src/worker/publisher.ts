import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Events, type JobTargetState, type TargetType } from '@smartbeak/contracts';
import { SERVICE_CONFIG } from '@smartbeak/runtime';
import { DataSource } from 'typeorm';

import { type Outcome, outcomeOfError, type PostRef, type PublishingAdapter } from '../adapters/adapter';
import { LookupFailed } from '../adapters/wordpress.adapter';
import { PublishingConfig } from '../config/publishing.config';
import {
  insertDeadLetter,
  JOB_COLUMNS,
  JOB_TARGET_COLUMNS,
  type JobRow,
  type JobTargetRow,
  recordChange,
} from '../jobs/job-store';
import { ADAPTERS, PUBLISHING_QUEUE } from '../publishing.tokens';
import { TargetsService } from '../targets/targets.service';
import { Semaphore } from './semaphore';

/** Thrown to BullMQ to try the job again later (exponential backoff, or the destination's Retry-After). */
export class RetryLater extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'RetryLater';
  }
}

type Settled = Outcome | { kind: 'unconfirmed'; message: string } | { kind: 'system'; message: string };

interface TargetRun {
  row: JobTargetRow;
  outcome: Settled;
}

/**
 * Runs one publishing job: marks it and its open targets `active` (before any
 * call, so an interruption leaves evidence), reconciles targets an earlier try
 * left `active`, calls each destination under its type's concurrency cap, and
 * settles the job per ARCHITECTURE.md § Errors — all state writes batched into
 * two transactions.
 */
@Injectable()
export class Publisher {
  private readonly logger = new Logger(Publisher.name);
  private readonly caps: Record<TargetType, Semaphore>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SERVICE_CONFIG) private readonly config: PublishingConfig,
    @Inject(ADAPTERS) private readonly adapters: Record<TargetType, PublishingAdapter>,
    private readonly targets: TargetsService,
  ) {
    this.caps = {
      wordpress: new Semaphore(config.PUBLISHING_CONCURRENCY_WORDPRESS),
      linkedin: new Semaphore(config.PUBLISHING_CONCURRENCY_LINKEDIN),
      email: new Semaphore(config.PUBLISHING_CONCURRENCY_EMAIL),
    };
  }

  /** `lastAttempt`: no retry follows this one (transient errors go to the DLQ). */
  async run(jobId: string, lastAttempt: boolean): Promise<string> {
    const started = await this.start(jobId);
    if (!started) return 'nothing to do';
    const { job, open } = started;
    const resolved = new Map(
      (
        await this.targets.resolve(
          this.dataSource.manager,
          job.orgId,
          open.map((t) => t.targetId),
        )
      ).map((t) => [t.id, t]),
    );
    const previous = await this.previousPosts(
      job.contentId,
      open.map((t) => t.targetId),
    );
    const runs = await Promise.all(
      open.map(async (row): Promise<TargetRun> => {
        const target = resolved.get(row.targetId);
        if (!target) return { row, outcome: { kind: 'invalid', message: 'the target was deleted' } };
        try {
          return {
            row,
            outcome: await this.caps[row.type].run(() =>
              this.runTarget(job, row, target, previous.get(row.targetId) ?? null),
            ),
          };
        } catch (error) {
          this.logger.error(`job ${job.id} target ${row.targetId}: ${(error as Error).stack ?? error}`);
          return { row, outcome: { kind: 'system', message: (error as Error).message } };
        }
      }),
    );
    return this.settle(job, runs, lastAttempt);
  }

  private async runTarget(
    job: JobRow,
    row: JobTargetRow,
    target: Parameters<PublishingAdapter['publish']>[1],
    previous: PostRef | null,
  ): Promise<Settled> {
    const adapter = this.adapters[row.type];
    if (!(await this.claim(job, row.targetId))) {
      return {
        kind: 'transient',
        message: 'another job is publishing this item to this destination; trying again after it',
        retryAfterMs: 2_000,
      };
    }
    if (row.state === 'active') {
      // An earlier try was interrupted or went unanswered: find out before posting again.
      if (!adapter.reconcile) {
        return {
          kind: 'unconfirmed',
          message: `${row.type} may or may not have the post, and offers no way to check`,
        };
      }
      try {
        const found = await adapter.reconcile(job.content, target);
        if (found) return { kind: 'succeeded', ...found };
      } catch (error) {
        if (error instanceof LookupFailed) return error.outcome;
        return outcomeOfError(error, `${row.type} lookup`);
      }
    }
    const outcome = await adapter.publish(job.content, target, previous);
    if (outcome.kind === 'unknown' && !adapter.reconcile)
      return { kind: 'unconfirmed', message: outcome.message };
    return outcome;
  }

  /** Takes (or keeps) the item × destination claim for this job; false while another job holds it. */
  private async claim(job: JobRow, targetId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO post_claims (target_id, content_id, job_id, until) VALUES ($1, $2, $3, now() + interval '10 minutes')
       ON CONFLICT (target_id, content_id) DO UPDATE SET job_id = EXCLUDED.job_id, until = EXCLUDED.until
         WHERE post_claims.until < now() OR post_claims.job_id = EXCLUDED.job_id
       RETURNING job_id`,
      [targetId, job.contentId, job.id],
    );
    return rows.length === 1;
  }

  /** Claims the job: `active`, attempts + 1, its open targets `active`. Undefined when it is finished. */
  private async start(jobId: string): Promise<{ job: JobRow; open: JobTargetRow[] } | undefined> {
    return this.dataSource.transaction(async (manager) => {
      const [job]: JobRow[] = await manager
        .query(
          `UPDATE publishing_jobs j SET state = 'active', attempts = attempts + 1, updated_at = now()
            WHERE id = $1 AND state NOT IN ('completed', 'failed') RETURNING ${JOB_COLUMNS}`,
          [jobId],
        )
        .then((result: [JobRow[], number]) => result[0]);
      if (!job) return undefined;
      // Targets left `active` by an earlier try keep that state (they are reconciled); pending ones start.
      const open: JobTargetRow[] = await manager.query(
        `WITH before AS (
           SELECT target_id, state FROM job_targets WHERE job_id = $1 AND state IN ('pending', 'active') FOR UPDATE),
         moved AS (
           UPDATE job_targets jt SET state = 'active', attempts = jt.attempts + 1, updated_at = now()
             FROM before b WHERE jt.job_id = $1 AND jt.target_id = b.target_id
           RETURNING jt.*, b.state AS before_state)
         SELECT job_id AS "jobId", target_id AS "targetId", type, before_state AS state, attempts,
                external_id AS "externalId", external_url AS "externalUrl", last_error AS "lastError"
           FROM moved ORDER BY position`,
        [jobId],
      );
      await recordChange(manager, job, { state: 'active', detail: `attempt ${job.attempts}` });
      return { job, open };
    });
  }

  private async settle(job: JobRow, runs: TargetRun[], lastAttempt: boolean): Promise<string> {
    const fatal = runs.find((r) => r.outcome.kind === 'invalid' || r.outcome.kind === 'system');
    const retryable = runs.filter((r) => r.outcome.kind === 'transient' || r.outcome.kind === 'unknown');
    const willRetry = !fatal && retryable.length > 0 && !lastAttempt;

    const targetState = (outcome: Settled): JobTargetState => {
      switch (outcome.kind) {
        case 'succeeded':
          return 'succeeded';
        case 'unconfirmed':
          return 'unconfirmed';
        case 'unknown':
          // A destination we can check stays `active`: the next try looks before posting.
          return willRetry ? 'active' : 'unconfirmed';
        case 'transient':
          return willRetry ? 'pending' : 'failed';
        default:
          return 'failed';
      }
    };
    const states = runs.map((r) => ({ ...r, state: targetState(r.outcome) }));
    let jobState: 'completed' | 'failed' | 'retrying';
    let deadLetter: { type: 'transient' | 'validation' | 'system'; message: string } | null = null;
    if (fatal) {
      jobState = 'failed';
      deadLetter = {
        type: fatal.outcome.kind === 'invalid' ? 'validation' : 'system',
        message: 'message' in fatal.outcome ? fatal.outcome.message : fatal.outcome.kind,
      };
    } else if (willRetry) {
      jobState = 'retrying';
    } else if (retryable.length) {
      jobState = 'failed';
      deadLetter = {
        type: 'transient',
        message: retryable.map((r) => ('message' in r.outcome ? r.outcome.message : '')).join('; '),
      };
    } else {
      const [{ open }]: { open: number }[] = await this.dataSource.query(
        `SELECT count(*)::int AS open FROM job_targets WHERE job_id = $1 AND state <> 'succeeded' AND NOT (target_id = ANY($2::uuid[]))`,
        [job.id, runs.map((r) => r.row.targetId)],
      );
      jobState = open === 0 && states.every((s) => s.state === 'succeeded') ? 'completed' : 'failed';
    }

    await this.dataSource.transaction(async (manager) => {
      await manager.query(
        `UPDATE job_targets jt SET state = u.state, external_id = COALESCE(u.external_id, jt.external_id),
                external_url = COALESCE(u.external_url, jt.external_url), last_error = u.last_error, updated_at = now()
           FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[]) AS u(target_id, state, external_id, external_url, last_error)
          WHERE jt.job_id = $1 AND jt.target_id = u.target_id`,
        [
          job.id,
          states.map((s) => s.row.targetId),
          states.map((s) => s.state),
          states.map((s) => (s.outcome.kind === 'succeeded' ? s.outcome.externalId : null)),
          states.map((s) => (s.outcome.kind === 'succeeded' ? s.outcome.externalUrl : null)),
          states.map((s) =>
            s.outcome.kind === 'succeeded' ? null : (s.outcome as { message: string }).message.slice(0, 2000),
          ),
        ],
      );
      const posts = states.filter((s) => s.outcome.kind === 'succeeded' && s.row.type !== 'email');
      if (posts.length) {
        await manager.query(
          `INSERT INTO target_posts (target_id, content_id, external_id, external_url)
           SELECT u.target_id, $1, u.external_id, u.external_url FROM unnest($2::uuid[], $3::text[], $4::text[]) AS u(target_id, external_id, external_url)
           ON CONFLICT (target_id, content_id) DO UPDATE SET external_id = EXCLUDED.external_id, external_url = EXCLUDED.external_url, updated_at = now()`,
          [
            job.contentId,
            posts.map((s) => s.row.targetId),
            posts.map((s) => (s.outcome as PostRef).externalId),
            posts.map((s) => (s.outcome as PostRef).externalUrl),
          ],
        );
      }
      await manager.query(`DELETE FROM post_claims WHERE job_id = $1`, [job.id]);
      await manager.query(
        `UPDATE publishing_jobs SET state = $2::varchar, updated_at = now(),
                completed_at = CASE WHEN $2::varchar = 'completed' THEN now() ELSE NULL END WHERE id = $1`,
        [job.id, jobState],
      );
      const extra = [];
      if (deadLetter) {
        const targets: JobTargetRow[] = await manager.query(
          `SELECT ${JOB_TARGET_COLUMNS} FROM job_targets jt WHERE jt.job_id = $1 ORDER BY jt.position`,
          [job.id],
        );
        const id = await insertDeadLetter(
          manager,
          job,
          deadLetter.type,
          deadLetter.message,
          targets,
          PUBLISHING_QUEUE,
        );
        extra.push({
          type: Events.publishing.jobDeadLettered,
          aggregateId: job.id,
          orgId: job.orgId,
          domainId: job.domainId,
          payload: {
            jobId: job.id,
            deadLetterId: id,
            errorType: deadLetter.type,
            message: deadLetter.message,
          },
        });
      }
      for (const s of states.filter((x) => x.state === 'unconfirmed')) {
        extra.push({
          type: Events.publishing.targetUnconfirmed,
          aggregateId: job.id,
          orgId: job.orgId,
          domainId: job.domainId,
          payload: { jobId: job.id, contentId: job.contentId, targetId: s.row.targetId, type: s.row.type },
        });
      }
      await recordChange(
        manager,
        job,
        {
          state: jobState,
          detail: deadLetter ? `dead-lettered (${deadLetter.type}): ${deadLetter.message}` : undefined,
          targets: states.map((s) => ({
            targetId: s.row.targetId,
            state: s.state,
            detail:
              s.outcome.kind === 'succeeded'
                ? s.outcome.externalUrl
                : (s.outcome as { message: string }).message,
          })),
        },
        extra,
      );
    });
    if (jobState === 'retrying') {
      const waits = retryable
        .map((r) => (r.outcome.kind === 'transient' ? r.outcome.retryAfterMs : undefined))
        .filter((ms): ms is number => ms !== undefined);
      throw new RetryLater(
        retryable.map((r) => ('message' in r.outcome ? r.outcome.message : '')).join('; '),
        waits.length ? Math.max(...waits) : undefined,
      );
    }
    return jobState;
  }

  private async previousPosts(contentId: string, targetIds: string[]): Promise<Map<string, PostRef>> {
    const rows: { targetId: string; externalId: string; externalUrl: string | null }[] =
      await this.dataSource.query(
        `SELECT target_id AS "targetId", external_id AS "externalId", external_url AS "externalUrl"
         FROM target_posts WHERE content_id = $1 AND target_id = ANY($2::uuid[])`,
        [contentId, targetIds],
      );
    return new Map(
      rows.map((row) => [row.targetId, { externalId: row.externalId, externalUrl: row.externalUrl }]),
    );
  }
}
