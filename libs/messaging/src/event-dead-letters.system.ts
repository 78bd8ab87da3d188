import { type EventEnvelope, type Page } from '@smartbeak/contracts';
import { eventDeadLettered } from '@smartbeak/observability';
import { type Database, mapPage, newestFirst, type SystemScope, Where } from '@smartbeak/persistence';
import { type Queue } from 'bullmq';
import { type MigrationInterface, type QueryRunner } from 'typeorm';

import { EVENT_JOB_OPTIONS } from './outbox-relay';
import { MessageRefused } from './signing';

/** An event a consumer gave up on, as operators see it (no payload body: events carry none). */
export interface EventDeadLetterDto {
  id: string;
  consumer: string;
  queue: string;
  eventId: string;
  eventType: string;
  orgId: string | null;
  /** `refused` (signature or sender checks), or the error's class / domain code. */
  errorType: string;
  errorMessage: string;
  attempts: number;
  failedAt: string;
  redrivenAt: string | null;
  envelope: EventEnvelope;
}

type DeadLetterRow = Omit<EventDeadLetterDto, 'failedAt' | 'redrivenAt'> & {
  createdAt: Date;
  redrivenAt: Date | null;
};

const COLUMNS = `id, consumer, queue, event_id AS "eventId", event_type AS "eventType", org_id AS "orgId",
  error_type AS "errorType", error_message AS "errorMessage", attempts, created_at AS "createdAt",
  redriven_at AS "redrivenAt", envelope`;

function toDto({ createdAt, redrivenAt, ...row }: DeadLetterRow): EventDeadLetterDto {
  return {
    ...row,
    failedAt: createdAt.toISOString(),
    redrivenAt: redrivenAt ? redrivenAt.toISOString() : null,
  };
}

function errorTypeOf(error: unknown): string {
  if (error instanceof MessageRefused) return 'refused';
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.constructor.name : 'Error';
}

/**
 * A consuming service's dead letters: events it gave up on (out of attempts,
 * or refused), kept in its own database — Redis keeps failed jobs a week at
 * most. Operators list and re-drive them, across orgs (a system scope).
 */
export class EventDeadLetters {
  constructor(private readonly database: Database) {}

  /** Records (or, after a failed re-drive, refreshes) the dead letter of `event`. */
  async record(
    consumer: string,
    queue: string,
    event: EventEnvelope,
    error: unknown,
    attempts: number,
  ): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    await this.database.run(
      `INSERT INTO event_dead_letters
         (consumer, queue, event_id, event_type, org_id, error_type, error_message, attempts, envelope)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (consumer, event_id) DO UPDATE SET error_type = EXCLUDED.error_type,
         error_message = EXCLUDED.error_message, attempts = event_dead_letters.attempts + EXCLUDED.attempts,
         created_at = now(), redriven_at = NULL`,
      [
        consumer,
        queue,
        String(event.id).slice(0, 100),
        String(event.type).slice(0, 120),
        typeof event.orgId === 'string' ? event.orgId.slice(0, 100) : null,
        errorTypeOf(error).slice(0, 120),
        message.slice(0, 1_000),
        attempts,
        JSON.stringify(event),
      ],
    );
    eventDeadLettered.inc({ queue, type: String(event.type) });
  }

  async list(
    _scope: SystemScope,
    page: { limit?: number; cursor?: string; pending?: boolean },
  ): Promise<Page<EventDeadLetterDto>> {
    const where = new Where().add('true');
    if (page.pending) where.add('redriven_at IS NULL');
    return mapPage(
      await newestFirst<DeadLetterRow>(
        this.database,
        `SELECT ${COLUMNS} FROM event_dead_letters`,
        where,
        page,
      ),
      toDto,
    );
  }

  /**
   * Puts the event back on its queue, as its producer signed it (the
   * consumer checks the signature again). Undefined when there is no such
   * dead letter, or it was re-driven already.
   */
  async redrive(
    _scope: SystemScope,
    id: string,
    queueOf: (name: string) => Queue,
  ): Promise<EventDeadLetterDto | undefined> {
    // Claimed by one statement (a second re-drive finds nothing); no transaction waits on Redis.
    const row = await this.database.one<DeadLetterRow>(
      `UPDATE event_dead_letters SET redriven_at = now() WHERE id = $1 AND redriven_at IS NULL
       RETURNING ${COLUMNS}`,
      [id],
    );
    if (!row) return undefined;
    try {
      const queue = queueOf(row.queue);
      // The failed job may still hold the event's id in Redis; a new add with that id would be ignored.
      await (await queue.getJob(row.eventId))?.remove();
      await queue.add(row.eventType, row.envelope, { ...EVENT_JOB_OPTIONS, jobId: row.eventId });
    } catch (error) {
      await this.database.run(`UPDATE event_dead_letters SET redriven_at = NULL WHERE id = $1`, [id]);
      throw error;
    }
    return toDto(row);
  }
}

/** The event dead-letter table of a consuming service. Add it to the service's migrations. */
export class EventDeadLetters1765100000000 implements MigrationInterface {
  name = 'EventDeadLetters1765100000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE event_dead_letters (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        consumer varchar(100) NOT NULL,
        queue varchar(120) NOT NULL,
        event_id varchar(100) NOT NULL,
        event_type varchar(120) NOT NULL,
        org_id varchar(100),
        error_type varchar(120) NOT NULL,
        error_message varchar(1000) NOT NULL,
        attempts int NOT NULL,
        envelope jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        redriven_at timestamptz,
        UNIQUE (consumer, event_id)
      )`);
    await runner.query(
      `CREATE INDEX event_dead_letters_newest_idx ON event_dead_letters (created_at DESC, id DESC)`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE event_dead_letters`);
  }
}
