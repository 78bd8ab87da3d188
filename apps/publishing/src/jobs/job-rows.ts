import { randomUUID } from 'node:crypto';

import {
  Events,
  type JobDto,
  type JobState,
  type JobTargetDto,
  type JobTargetState,
  type TargetType,
} from '@smartbeak/contracts';
import { appendToOutbox, type OutboxEvent } from '@smartbeak/messaging';
import { type Sql } from '@smartbeak/persistence';

import { type PublishableContent } from '../adapters/adapter';

/**
 * How publishing jobs read and are recorded: row types, column lists, DTO
 * mappers, and the history + event write every state change makes.
 */
export interface JobRow {
  id: string;
  orgId: string;
  domainId: string;
  contentId: string;
  content: PublishableContent;
  state: JobState;
  scheduledFor: Date | null;
  attempts: number;
  run: number;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  completedAt: Date | null;
}

export interface JobTargetRow {
  jobId: string;
  targetId: string;
  type: TargetType;
  state: JobTargetState;
  attempts: number;
  externalId: string | null;
  externalUrl: string | null;
  lastError: string | null;
}

export const JOB_COLUMNS = `j.id, j.org_id AS "orgId", j.domain_id AS "domainId", j.content_id AS "contentId", j.content,
  j.state, j.scheduled_for AS "scheduledFor", j.attempts, j.run, j.created_by AS "createdBy", j.created_at AS "createdAt",
  j.updated_at AS "updatedAt", j.completed_at AS "completedAt"`;

export const JOB_TARGET_COLUMNS = `jt.job_id AS "jobId", jt.target_id AS "targetId", jt.type, jt.state, jt.attempts,
  jt.external_id AS "externalId", jt.external_url AS "externalUrl", jt.last_error AS "lastError"`;

const EVENT_OF_STATE: Partial<Record<JobState, OutboxEvent['type']>> = {
  queued: Events.publishing.jobQueued,
  active: Events.publishing.jobStarted,
  retrying: Events.publishing.jobRetrying,
  completed: Events.publishing.jobCompleted,
  failed: Events.publishing.jobFailed,
};

export interface StateChange {
  state: JobState;
  detail?: string;
  targets?: { targetId: string; state: JobTargetState; detail?: string | null }[];
}

/**
 * Records a job's move (and its targets') in `job_events` and emits the
 * matching `publishing.job.*` event, in the caller's transaction — one
 * statement for the history, one for the outbox.
 */
export async function recordChange(
  sql: Sql,
  job: Pick<JobRow, 'id' | 'orgId' | 'domainId' | 'contentId' | 'createdBy' | 'content'>,
  change: StateChange,
  extraEvents: OutboxEvent[] = [],
): Promise<void> {
  const rows: [string | null, string, string | null][] = [
    [null, change.state, change.detail ?? null],
    ...(change.targets ?? []).map((t): [string | null, string, string | null] => [
      t.targetId,
      t.state,
      t.detail ?? null,
    ]),
  ];
  await sql.run(
    `INSERT INTO job_events (job_id, target_id, state, detail)
     SELECT $1, t.target_id::uuid, t.state, t.detail FROM unnest($2::text[], $3::text[], $4::text[]) AS t(target_id, state, detail)`,
    [job.id, rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2])],
  );
  const type = EVENT_OF_STATE[change.state];
  const events: OutboxEvent[] = [...extraEvents];
  if (type) {
    events.unshift({
      type,
      aggregateId: job.id,
      orgId: job.orgId,
      domainId: job.domainId,
      payload: {
        jobId: job.id,
        contentId: job.contentId,
        // Who asked and what, for notifications (never the body).
        createdBy: job.createdBy,
        title: job.content.title,
        state: change.state,
        detail: change.detail ?? null,
        targets: change.targets ?? [],
      },
    });
  }
  await appendToOutbox(sql, events);
}

/**
 * A dead letter for the job (docs/architecture.md § Errors: job, queue, error
 * type and message, retries, payload) and its `publishing.job.dead_lettered`
 * event, so whoever must act hears of it (notifications) — however it died.
 */
export async function insertDeadLetter(
  sql: Sql,
  job: JobRow,
  errorType: 'transient' | 'validation' | 'system',
  message: string,
  targets: JobTargetRow[],
  queue: string,
): Promise<string> {
  const id = randomUUID();
  await sql.run(
    `INSERT INTO dead_letters (id, org_id, domain_id, job_id, original_queue, error_type, error_message, retry_count, payload)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)`,
    [
      id,
      job.orgId,
      job.domainId,
      job.id,
      queue,
      errorType,
      message.slice(0, 4000),
      Math.max(0, job.attempts - 1),
      JSON.stringify({ jobId: job.id, contentId: job.contentId, run: job.run, targets }),
    ],
  );
  await appendToOutbox(sql, [
    {
      type: Events.publishing.jobDeadLettered,
      aggregateId: job.id,
      orgId: job.orgId,
      domainId: job.domainId,
      payload: {
        jobId: job.id,
        deadLetterId: id,
        errorType,
        message: message.slice(0, 4000),
        createdBy: job.createdBy,
        title: job.content.title,
      },
    },
  ]);
  return id;
}

export function toJobDto(job: JobRow, targets: JobTargetRow[]): JobDto {
  return {
    id: job.id,
    domainId: job.domainId,
    contentId: job.contentId,
    title: job.content.title,
    featuredImageUrl: job.content.featuredImage?.url ?? null,
    state: job.state,
    targets: targets.map(toJobTargetDto),
    scheduledFor: job.scheduledFor ? job.scheduledFor.toISOString() : null,
    attempts: job.attempts,
    createdAt: job.createdAt.toISOString(),
    updatedAt: job.updatedAt.toISOString(),
    completedAt: job.completedAt ? job.completedAt.toISOString() : null,
  };
}

function toJobTargetDto(row: JobTargetRow): JobTargetDto {
  return {
    targetId: row.targetId,
    type: row.type,
    state: row.state,
    attempts: row.attempts,
    externalId: row.externalId,
    externalUrl: row.externalUrl,
    lastError: row.lastError,
  };
}
