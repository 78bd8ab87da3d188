import { Inject, Injectable, Logger } from '@nestjs/common';
import { Events, type JobTargetState, type TargetType } from '@smartbeak/contracts';
import { SERVICE_CONFIG } from '@smartbeak/runtime';
import { currentRequestId, type OutboxEvent, type OutboxRecord, outboxRecords } from '@smartbeak/messaging';
import { CredentialVault, Database, StatementBatcher, systemScope } from '@smartbeak/persistence';

import {
  type Outcome,
  outcomeOfError,
  type PostRef,
  type PublishingAdapter,
  ReconcileFailed,
  type ResolvedTarget,
} from '../adapters/adapter';
import { PublishingConfig } from '../config/publishing.config';

import { type JobRow, type JobTargetRow } from '../jobs/job-rows';
import { JobRunsSystem, type SettledRun, type StartedRun } from '../jobs/job-runs.system';
import { ADAPTERS, CREDENTIAL_VAULT } from '../publishing.tokens';
import { Semaphore } from './semaphore';

const WORKER = systemScope('publishing worker: a queue job names a publishing job by id');

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
 * two statements, each shared with the jobs this worker claims or settles at the
 * same moment (StatementBatcher).
 */
@Injectable()
export class Publisher {
  private readonly logger = new Logger(Publisher.name);
  private readonly caps: Record<TargetType, Semaphore>;
  /** Concurrent jobs' claims, and their outcomes, go to PostgreSQL together (group commit). */
  private readonly starts: StatementBatcher<
    { jobId: string; requestId: string | null },
    StartedRun | undefined
  >;
  private readonly settles: StatementBatcher<
    { job: JobRow; run: SettledRun; events: OutboxRecord[] },
    undefined
  >;

  constructor(
    private readonly db: Database,
    private readonly runs: JobRunsSystem,
    @Inject(SERVICE_CONFIG) private readonly config: PublishingConfig,
    @Inject(ADAPTERS) private readonly adapters: Record<TargetType, PublishingAdapter>,
    @Inject(CREDENTIAL_VAULT) private readonly vault: CredentialVault,
  ) {
    this.caps = {
      wordpress: new Semaphore(config.PUBLISHING_CONCURRENCY_WORDPRESS),
      linkedin: new Semaphore(config.PUBLISHING_CONCURRENCY_LINKEDIN),
      email: new Semaphore(config.PUBLISHING_CONCURRENCY_EMAIL),
    };
    const max = config.PUBLISHING_STATEMENT_BATCH;
    this.starts = new StatementBatcher((starts) => this.runs.startMany(WORKER, starts), { max });
    this.settles = new StatementBatcher(
      async (settled) => {
        await this.runs.settleMany(WORKER, settled);
        return settled.map(() => undefined);
      },
      { max },
    );
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
    const row = await this.starts.submit({ jobId, requestId: currentRequestId() });
    if (!row) return undefined;
    const { job } = row;
    const open = row.targets.map((t) => ({
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
        : {
            id: t.targetId,
            type: t.type,
            config: t.config,
            secret: this.vault.open(t.secret, { orgId: job.orgId, rowId: t.targetId }),
          },
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
        createdBy: job.createdBy,
        title: job.content.title,
        state: jobState,
        // A dead letter follows (its own event): subscribers need not tell the failure twice.
        deadLettered: deadLetter !== null,
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
        payload: {
          jobId: job.id,
          contentId: job.contentId,
          createdBy: job.createdBy,
          title: job.content.title,
          targetId: s.row.targetId,
          type: s.row.type,
        },
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

    const ok = (s: TargetRun) => (s.outcome.kind === 'succeeded' ? s.outcome : null);
    const settled: SettledRun = {
      jobState,
      targets: states.map((s) => ({
        targetId: s.row.targetId,
        state: s.state,
        externalId: ok(s)?.externalId ?? null,
        externalUrl: ok(s)?.externalUrl ?? null,
        lastError:
          s.outcome.kind === 'succeeded' ? null : (s.outcome as { message: string }).message.slice(0, 2000),
      })),
      posts: posts.map((s) => ({
        targetId: s.row.targetId,
        externalId: ok(s)?.externalId ?? null,
        externalUrl: ok(s)?.externalUrl ?? null,
      })),
      history,
      events,
    };
    if (deadLetter) {
      // Rare: the dead letter needs the targets as they end up; a transaction of its own.
      const letter = deadLetter;
      await this.db.transaction(async (tx) => {
        const runs = this.runs.in(tx);
        await runs.settle(WORKER, job, settled);
        await runs.deadLetter(WORKER, job, letter.type, letter.message);
      });
    } else {
      await this.settles.submit({ job, run: settled, events: outboxRecords(settled.events) });
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
}
