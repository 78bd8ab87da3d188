import { Inject, Injectable, Logger } from '@nestjs/common';
import { Events, type JobTargetState, type TargetType } from '@smartbeak/contracts';
import { SERVICE_CONFIG } from '@smartbeak/runtime';
import {
  appendToOutbox,
  currentRequestId,
  outboxInsertFromSql,
  type OutboxEvent,
  outboxInsertSql,
  outboxRows,
} from '@smartbeak/messaging';
import { Database, type Sql } from '@smartbeak/persistence';

import {
  type Outcome,
  outcomeOfError,
  type PostRef,
  type PublishingAdapter,
  ReconcileFailed,
  type ResolvedTarget,
} from '../adapters/adapter';
import { PublishingConfig } from '../config/publishing.config';
import { CredentialVault } from '../credentials/credentials';
import { insertDeadLetter, JOB_TARGET_COLUMNS, type JobRow, type JobTargetRow } from '../jobs/job-rows';
import { ADAPTERS, CREDENTIAL_VAULT } from '../publishing.tokens';
import { PUBLISHING_QUEUE } from '../queues/queues';
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

const EVENT_OF_SETTLED = {
  completed: Events.publishing.jobCompleted,
  failed: Events.publishing.jobFailed,
  retrying: Events.publishing.jobRetrying,
} as const;

interface StartedTargetRow extends JobTargetRow {
  config: Record<string, unknown>;
  secret: string;
  deleted: boolean;
  previousId: string | null;
  previousUrl: string | null;
  claimed: boolean;
}

interface StartedJob {
  job: JobRow;
  open: { row: JobTargetRow; target: ResolvedTarget | null; previous: PostRef | null; claimed: boolean }[];
  /** Targets outside this run that are not succeeded (failed or unconfirmed earlier). */
  othersOpen: number;
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
 * settles the job per docs/architecture.md § Errors — all state writes batched into
 * two transactions.
 */
@Injectable()
export class Publisher {
  private readonly logger = new Logger(Publisher.name);
  private readonly caps: Record<TargetType, Semaphore>;

  constructor(
    private readonly db: Database,
    @Inject(SERVICE_CONFIG) private readonly config: PublishingConfig,
    @Inject(ADAPTERS) private readonly adapters: Record<TargetType, PublishingAdapter>,
    @Inject(CREDENTIAL_VAULT) private readonly vault: CredentialVault,
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
    const { job, open, othersOpen } = started;
    const runs = await Promise.all(
      open.map(async ({ row, target, previous, claimed }): Promise<TargetRun> => {
        if (!target) return { row, outcome: { kind: 'invalid', message: 'the target was deleted' } };
        if (!claimed) {
          return {
            row,
            outcome: {
              kind: 'transient',
              message: 'another job is publishing this item to this destination; trying again after it',
              retryAfterMs: 2_000,
            },
          };
        }
        try {
          return {
            row,
            outcome: await this.caps[row.type].run(() => this.runTarget(job, row, target, previous)),
          };
        } catch (error) {
          this.logger.error(`job ${job.id} target ${row.targetId}: ${(error as Error).stack ?? error}`);
          return { row, outcome: { kind: 'system', message: (error as Error).message } };
        }
      }),
    );
    return this.settle(job, runs, othersOpen, lastAttempt);
  }

  private async runTarget(
    job: JobRow,
    row: JobTargetRow,
    target: Parameters<PublishingAdapter['publish']>[1],
    previous: PostRef | null,
  ): Promise<Settled> {
    const adapter = this.adapters[row.type];
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
        if (error instanceof ReconcileFailed) return error.outcome;
        return outcomeOfError(error, `${row.type} lookup`);
      }
    }
    const outcome = await adapter.publish(job.content, target, previous);
    if (outcome.kind === 'unknown' && !adapter.reconcile)
      return { kind: 'unconfirmed', message: outcome.message };
    return outcome;
  }

  /**
   * Claims the job in one statement: `active`, attempts + 1; its open
   * targets `active` (those an earlier try left `active` keep that as their
   * "before" state, to be reconciled); the item × destination claims; the
   * history row and the `publishing.job.started` event. Returns the targets
   * with their configuration, the post each destination already holds and
   * whether this job got the claim. Undefined when the job is finished.
   */
  private async start(jobId: string): Promise<StartedJob | undefined> {
    const row = await this.db.one<{
      job: Omit<JobRow, 'scheduledFor' | 'createdAt' | 'updatedAt' | 'completedAt'> | null;
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
    const job = row.job as JobRow;
    const open = (row.targets ?? []).map((t) => ({
      row: {
        jobId: t.jobId,
        targetId: t.targetId,
        type: t.type,
        state: t.state,
        attempts: t.attempts,
        externalId: t.externalId,
        externalUrl: t.externalUrl,
        lastError: t.lastError,
      },
      target: t.deleted
        ? null
        : { id: t.targetId, type: t.type, config: t.config, secret: this.vault.open(t.secret) },
      previous: t.previousId ? { externalId: t.previousId, externalUrl: t.previousUrl } : null,
      claimed: t.claimed,
    }));
    return { job, open, othersOpen: row.othersOpen };
  }

  private async settle(
    job: JobRow,
    runs: TargetRun[],
    othersOpen: number,
    lastAttempt: boolean,
  ): Promise<string> {
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
      jobState = othersOpen === 0 && states.every((s) => s.state === 'succeeded') ? 'completed' : 'failed';
    }

    const detailOf = (s: (typeof states)[number]) =>
      s.outcome.kind === 'succeeded'
        ? s.outcome.externalUrl
        : (s.outcome as { message: string }).message.slice(0, 2000);
    const posts = states.filter((s) => s.outcome.kind === 'succeeded' && s.row.type !== 'email');
    const events: OutboxEvent[] = [];
    const jobEvent = EVENT_OF_SETTLED[jobState];
    events.push({
      type: jobEvent,
      aggregateId: job.id,
      orgId: job.orgId,
      domainId: job.domainId,
      payload: {
        jobId: job.id,
        contentId: job.contentId,
        state: jobState,
        targets: states.map((s) => ({
          targetId: s.row.targetId,
          type: s.row.type,
          state: s.state,
          detail: detailOf(s),
        })),
      },
    });
    for (const s of states.filter((x) => x.state === 'unconfirmed')) {
      events.push({
        type: Events.publishing.targetUnconfirmed,
        aggregateId: job.id,
        orgId: job.orgId,
        domainId: job.domainId,
        payload: { jobId: job.id, contentId: job.contentId, targetId: s.row.targetId, type: s.row.type },
      });
    }
    const history = [
      {
        target: null as string | null,
        state: jobState as string,
        detail: deadLetter ? `dead-lettered (${deadLetter.type}): ${deadLetter.message}` : null,
      },
      ...states.map((s) => ({
        target: s.row.targetId as string | null,
        state: s.state as string,
        detail: detailOf(s),
      })),
    ];

    if (deadLetter) {
      // Rare: the dead letter needs the targets as they end up; a transaction of its own.
      const letter = deadLetter;
      await this.db.transaction(async (tx) => {
        await this.writeSettled(tx, job, jobState, states, posts, history, events);
        const targets = await tx.rows<JobTargetRow>(
          `SELECT ${JOB_TARGET_COLUMNS} FROM job_targets jt WHERE jt.job_id = $1 ORDER BY jt.position`,
          [job.id],
        );
        const id = await insertDeadLetter(tx, job, letter.type, letter.message, targets, PUBLISHING_QUEUE);
        await appendToOutbox(tx, [
          {
            type: Events.publishing.jobDeadLettered,
            aggregateId: job.id,
            orgId: job.orgId,
            domainId: job.domainId,
            payload: { jobId: job.id, deadLetterId: id, errorType: letter.type, message: letter.message },
          },
        ]);
      });
    } else {
      await this.writeSettled(this.db, job, jobState, states, posts, history, events);
    }
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

  /**
   * The outcome in one statement: targets, the posts destinations now hold,
   * the claims released, the job, its history and its events.
   */
  private async writeSettled(
    sql: Sql,
    job: JobRow,
    jobState: string,
    states: (TargetRun & { state: JobTargetState })[],
    posts: (TargetRun & { state: JobTargetState })[],
    history: { target: string | null; state: string; detail: string | null }[],
    events: OutboxEvent[],
  ): Promise<void> {
    const ok = (s: TargetRun) => (s.outcome.kind === 'succeeded' ? s.outcome : null);
    await sql.run(
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
        jobState,
        states.map((s) => s.row.targetId),
        states.map((s) => s.state),
        states.map((s) => ok(s)?.externalId ?? null),
        states.map((s) => ok(s)?.externalUrl ?? null),
        states.map((s) =>
          s.outcome.kind === 'succeeded' ? null : (s.outcome as { message: string }).message.slice(0, 2000),
        ),
        job.contentId,
        posts.map((s) => s.row.targetId),
        posts.map((s) => ok(s)?.externalId ?? null),
        posts.map((s) => ok(s)?.externalUrl ?? null),
        history.map((h) => h.target),
        history.map((h) => h.state),
        history.map((h) => h.detail),
        outboxRows(events),
      ],
    );
  }
}
