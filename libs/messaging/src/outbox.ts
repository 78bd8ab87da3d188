import { randomUUID } from 'node:crypto';

import { type EventName } from '@smartbeak/contracts';
import { currentRequestScope } from '@smartbeak/observability';
import { type Sql } from '@smartbeak/persistence';
import { type MigrationInterface, type QueryRunner } from 'typeorm';

export const OUTBOX_CHANNEL = 'smartbeak_outbox';

export interface OutboxEvent {
  type: EventName;
  aggregateId: string;
  orgId: string | null;
  domainId?: string | null;
  payload: Record<string, unknown>;
}

/**
 * The one way to write an event: appended to the outbox inside the caller's
 * transaction, so it exists exactly when the state change it describes was
 * committed. A single-statement write uses `outboxRows` + `outboxInsertSql`,
 * which make the same rows.
 */
export async function appendToOutbox(sql: Sql, events: OutboxEvent[]): Promise<string[]> {
  if (!events.length) return [];
  const ids = events.map(() => randomUUID());
  const requestId = currentRequestScope()?.requestId ?? null;
  const params: unknown[] = [];
  const rows = events.map((event, i) => {
    params.push(
      ids[i],
      event.type,
      event.aggregateId,
      event.orgId,
      event.domainId ?? null,
      JSON.stringify(event.payload),
      requestId,
    );
    const p = i * 7;
    return `($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}, $${p + 5}, $${p + 6}::jsonb, $${p + 7})`;
  });
  await sql.run(
    `INSERT INTO outbox (id, type, aggregate_id, org_id, domain_id, payload, request_id) VALUES ${rows.join(', ')}`,
    params,
  );
  return ids;
}

/** An outbox row as `outboxInsertSql` reads it. */
export interface OutboxRecord {
  id: string;
  type: string;
  aggregate_id: string;
  org_id: string | null;
  domain_id: string | null;
  payload: Record<string, unknown>;
  request_id: string | null;
}

/** The rows of `events`, carrying the current request's id (made where the change is decided). */
export function outboxRecords(events: OutboxEvent[]): OutboxRecord[] {
  const requestId = currentRequestScope()?.requestId ?? null;
  return events.map((event) => ({
    id: randomUUID(),
    type: event.type,
    aggregate_id: event.aggregateId,
    org_id: event.orgId,
    domain_id: event.domainId ?? null,
    payload: event.payload,
    request_id: requestId,
  }));
}

/**
 * For a single-statement write (data-modifying CTEs): the events as one
 * jsonb parameter, and the INSERT that reads it as `$<param>`. Same rows as
 * `appendToOutbox`, without a round trip of their own.
 */
export function outboxRows(events: OutboxEvent[]): string {
  return JSON.stringify(outboxRecords(events));
}

export function outboxInsertSql(param: number): string {
  return `INSERT INTO outbox (id, type, aggregate_id, org_id, domain_id, payload, request_id)
    SELECT x.id, x.type, x.aggregate_id, x.org_id, x.domain_id, x.payload, x.request_id
      FROM jsonb_to_recordset($${param}::jsonb)
        AS x(id uuid, type varchar, aggregate_id varchar, org_id varchar, domain_id varchar, payload jsonb, request_id varchar)`;
}

/**
 * For events whose fields come from rows the same statement writes (a CTE):
 * `select` yields `type, aggregate_id, org_id, domain_id, payload`; the
 * request id is the parameter `$<requestIdParam>` (see `currentRequestId`),
 * or, without one, a sixth column `request_id` of the select (a statement
 * writing for many requests at once).
 */
export function outboxInsertFromSql(select: string, requestIdParam?: number): string {
  const requestId = requestIdParam === undefined ? 'e.request_id' : `$${requestIdParam}::varchar`;
  const columns = `type, aggregate_id, org_id, domain_id, payload${requestIdParam === undefined ? ', request_id' : ''}`;
  return `INSERT INTO outbox (id, type, aggregate_id, org_id, domain_id, payload, request_id)
    SELECT gen_random_uuid(), e.type, e.aggregate_id::text, e.org_id, e.domain_id::text, e.payload, ${requestId}
      FROM (${select}) AS e(${columns})`;
}

/** The request the current code runs for, if any (carried on every event). */
export function currentRequestId(): string | null {
  return currentRequestScope()?.requestId ?? null;
}

/**
 * The outbox and the inbox (`processed_events`, which makes consumers apply
 * an event once) for a service's database. Add it to the service's migrations.
 */
export class OutboxAndInbox1764000000000 implements MigrationInterface {
  name = 'OutboxAndInbox1764000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE outbox (
        id uuid PRIMARY KEY,
        type varchar(120) NOT NULL,
        aggregate_id varchar(100) NOT NULL,
        org_id varchar(100),
        domain_id varchar(100),
        payload jsonb NOT NULL,
        request_id varchar(128),
        occurred_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        relayed_at timestamptz
      )`);
    await runner.query(
      `CREATE INDEX outbox_pending_idx ON outbox (occurred_at, id) WHERE relayed_at IS NULL`,
    );
    await runner.query(`CREATE INDEX outbox_relayed_idx ON outbox (relayed_at) WHERE relayed_at IS NOT NULL`);
    // Wakes the relay at commit instead of waiting for its next poll.
    await runner.query(`
      CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_notify('${OUTBOX_CHANNEL}', ''); RETURN NULL; END $$`);
    await runner.query(
      `CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify()`,
    );
    await runner.query(`
      CREATE TABLE processed_events (
        consumer varchar(100) NOT NULL,
        event_id uuid NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE processed_events`);
    await runner.query(`DROP TRIGGER outbox_notify ON outbox`);
    await runner.query(`DROP FUNCTION outbox_notify()`);
    await runner.query(`DROP TABLE outbox`);
  }
}
