import { type EntityManager } from 'typeorm';

import { type ItemEventPayload, type ItemState, type StoredItemEvent } from './projection';
import { escapeLike, nextSlug } from './slug';

/** `content_items` columns as ItemState fields. */
export const ITEM_COLUMNS = `i.id, i.org_id AS "orgId", i.domain_id AS "domainId", i.title, i.slug, i.body,
  i.excerpt, i.tags, i.status, i.version, i.scheduled_for AS "scheduledFor", i.published_at AS "publishedAt",
  i.created_by AS "createdBy", i.updated_by AS "updatedBy", i.created_at AS "createdAt",
  i.updated_at AS "updatedAt", i.deleted_at AS "deletedAt", i.cold_at AS "coldAt"`;

/** The live lease, if any, beside an item (`LEFT JOIN content_locks l`). */
export const LOCK_COLUMNS = `l.holder AS "lockHolder", l.expires_at AS "lockExpiresAt"`;
export const LOCK_JOIN = `LEFT JOIN content_locks l ON l.item_id = i.id AND l.expires_at > now()`;

export interface ItemRow extends Omit<ItemState, DateField> {
  scheduledFor: Date | null;
  publishedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
  coldAt: Date | null;
  lockHolder?: string | null;
  lockExpiresAt?: Date | null;
}

type DateField = 'scheduledFor' | 'publishedAt' | 'createdAt' | 'updatedAt' | 'deletedAt' | 'coldAt';

const iso = (value: Date | null): string | null => (value ? value.toISOString() : null);

export function stateOf(row: ItemRow): ItemState {
  return {
    id: row.id,
    orgId: row.orgId,
    domainId: row.domainId,
    title: row.title,
    slug: row.slug,
    body: row.body,
    excerpt: row.excerpt,
    tags: row.tags,
    status: row.status,
    version: row.version,
    scheduledFor: iso(row.scheduledFor),
    publishedAt: iso(row.publishedAt),
    createdBy: row.createdBy,
    updatedBy: row.updatedBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    deletedAt: iso(row.deletedAt),
    coldAt: iso(row.coldAt),
  };
}

/** Every column of `content_items`, in one order, with its state field. */
const COLUMNS: [string, keyof ItemState][] = [
  ['id', 'id'],
  ['org_id', 'orgId'],
  ['domain_id', 'domainId'],
  ['title', 'title'],
  ['slug', 'slug'],
  ['body', 'body'],
  ['excerpt', 'excerpt'],
  ['tags', 'tags'],
  ['status', 'status'],
  ['version', 'version'],
  ['scheduled_for', 'scheduledFor'],
  ['published_at', 'publishedAt'],
  ['created_by', 'createdBy'],
  ['updated_by', 'updatedBy'],
  ['created_at', 'createdAt'],
  ['updated_at', 'updatedAt'],
  ['deleted_at', 'deletedAt'],
  ['cold_at', 'coldAt'],
];
export const COLUMN_NAMES = COLUMNS.map(([column]) => column);
const MUTABLE = COLUMNS.filter(
  ([column]) => !['id', 'org_id', 'domain_id', 'created_by', 'created_at'].includes(column),
);

export function valuesOf(state: ItemState): unknown[] {
  return COLUMNS.map(([, field]) => state[field]);
}

export interface NewEvent {
  eventId: string;
  type: string;
  payload: ItemEventPayload;
  requestId: string | null;
}

/**
 * Writes the item's new state, its event and its revision in one statement
 * (data-modifying CTEs: all or nothing). The event's version and time are
 * read from the row just written, so the three cannot disagree.
 *
 * `insert`: a new item; returns false when the slug was taken meanwhile.
 * `update`: guarded by the version the caller read under its row lock.
 */
export async function writeChange(
  manager: EntityManager,
  next: ItemState,
  event: NewEvent,
  mode: 'insert' | { previousVersion: number },
): Promise<boolean> {
  const values = valuesOf(next);
  let params: unknown[];
  let write: string;
  if (mode === 'insert') {
    params = [...values];
    write = `INSERT INTO content_items (${COLUMN_NAMES.join(', ')})
             VALUES (${values.map((_, i) => `$${i + 1}`).join(', ')})
             ON CONFLICT DO NOTHING RETURNING *`;
  } else {
    // Every parameter must appear in the statement (PostgreSQL types each one from its use).
    params = [next.id, mode.previousVersion, ...MUTABLE.map(([, field]) => next[field])];
    write = `UPDATE content_items SET ${MUTABLE.map(([column], i) => `${column} = $${i + 3}`).join(', ')}
             WHERE id = $1 AND version = $2 RETURNING *`;
  }
  params.push(event.eventId, event.type, JSON.stringify(event.payload), event.requestId);
  const e = params.length - 3;
  const rows: { id: string }[] = await manager.query(
    `WITH item AS (${write}),
     ev AS (
       INSERT INTO content_events (event_id, aggregate_id, type, version, payload, occurred_at, org_id, domain_id, request_id)
       SELECT $${e}, id, $${e + 1}, version, $${e + 2}::jsonb, updated_at, org_id, domain_id, $${e + 3} FROM item),
     rev AS (
       INSERT INTO content_revisions (item_id, version, org_id, domain_id, title, slug, body, excerpt, tags, status,
                                      scheduled_for, cause, created_by, created_at)
       SELECT id, version, org_id, domain_id, title, slug, body, excerpt, tags, status, scheduled_for, $${e + 1},
              updated_by, updated_at FROM item)
     SELECT id FROM item`,
    params,
  );
  return rows.length === 1;
}

/**
 * `base` if no other item of the domain has it, else `base-N` one above the
 * highest number in use (an index range scan on the slug, whatever the count).
 */
export async function freeSlug(
  manager: EntityManager,
  domainId: string,
  base: string,
  exceptId: string | null,
): Promise<string> {
  const [row]: { taken: boolean; highest: string | null }[] = await manager.query(
    `SELECT EXISTS (SELECT 1 FROM content_items WHERE domain_id = $1 AND slug = $2 AND ($3::uuid IS NULL OR id <> $3::uuid)) AS taken,
            (SELECT max(substring(slug FROM char_length($2) + 2)::bigint) FROM content_items
              WHERE domain_id = $1 AND slug LIKE $4 AND ($3::uuid IS NULL OR id <> $3::uuid)
                AND substring(slug FROM char_length($2) + 2) ~ '^[0-9]{1,15}$') AS highest`,
    [domainId, base, exceptId, `${escapeLike(base)}-%`],
  );
  if (!row?.taken) return base;
  return nextSlug(base, row.highest === null ? null : Number(row.highest));
}

interface EventRow {
  aggregateId: string;
  orgId: string;
  domainId: string;
  type: string;
  version: number;
  occurredAt: Date;
  payload: ItemEventPayload;
}

export const EVENT_COLUMNS = `aggregate_id AS "aggregateId", org_id AS "orgId", domain_id AS "domainId", type,
  version, occurred_at AS "occurredAt", payload`;

export function storedEventOf(row: EventRow): StoredItemEvent {
  return { ...row, occurredAt: row.occurredAt.toISOString() };
}
