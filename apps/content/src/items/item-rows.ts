import {
  type ContentEventDto,
  type ContentItemDto,
  type ContentLockDto,
  type ContentRevisionDto,
  type ContentStatus,
} from '@smartbeak/contracts';

import { type ItemEventPayload, type ItemState, type StoredItemEvent } from './projection';

/**
 * How content's rows read: column lists with their aliases, the row types
 * and the mappers from rows to state and DTOs. No SQL runs here.
 */

/** `content_items` columns as ItemState fields. */
export const ITEM_COLUMNS = `i.id, i.org_id AS "orgId", i.domain_id AS "domainId", i.title, i.slug, i.body,
  i.excerpt, i.tags, i.status, i.version, i.scheduled_for AS "scheduledFor", i.published_at AS "publishedAt",
  i.created_by AS "createdBy", i.updated_by AS "updatedBy", i.created_at AS "createdAt",
  i.updated_at AS "updatedAt", i.deleted_at AS "deletedAt", i.cold_at AS "coldAt"`;

/** The live lease, if any, beside an item (`LOCK_JOIN`). */
export const LOCK_COLUMNS = `l.holder AS "lockHolder", l.expires_at AS "lockExpiresAt"`;
/**
 * Looked up per item row, after the items are found and ordered (a lateral
 * join the planner cannot flatten, `LIMIT 1`): as a plain LEFT JOIN, a
 * domain that grew since its table's last ANALYZE (estimated at 3 rows,
 * holding 8,000) was planned as a hash join of every item of the domain, then
 * a sort for the newest 20 — 19 ms a page instead of 0.1.
 */
export const LOCK_JOIN = `LEFT JOIN LATERAL (SELECT holder, expires_at FROM content_locks
  WHERE item_id = i.id AND expires_at > now() LIMIT 1) l ON true`;

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
export const MUTABLE = COLUMNS.filter(
  ([column]) => !['id', 'org_id', 'domain_id', 'created_by', 'created_at'].includes(column),
);

export function valuesOf(state: ItemState): unknown[] {
  return COLUMNS.map(([, field]) => state[field]);
}

export interface EventRow {
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

export function lockOf(row: ItemRow): ContentLockDto | null {
  return row.lockHolder && row.lockExpiresAt
    ? { lockedBy: row.lockHolder, expiresAt: new Date(row.lockExpiresAt).toISOString() }
    : null;
}

export function toItemDto(state: ItemState, lock: ContentLockDto | null): ContentItemDto {
  return {
    id: state.id,
    domainId: state.domainId,
    title: state.title,
    slug: state.slug,
    body: state.body,
    excerpt: state.excerpt,
    tags: state.tags,
    status: state.status,
    version: state.version,
    scheduledFor: state.scheduledFor,
    publishedAt: state.publishedAt,
    createdBy: state.createdBy,
    updatedBy: state.updatedBy,
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
    lock,
    coldSince: state.coldAt,
  };
}

export interface RevisionRow {
  itemId: string;
  version: number;
  title: string;
  slug: string;
  body: string;
  excerpt: string;
  tags: string[];
  status: ContentStatus;
  scheduledFor: Date | null;
  cause: string;
  createdBy: string;
  createdAt: Date;
}

export const REVISION_COLUMNS = `item_id AS "itemId", version, title, slug, body, excerpt, tags, status,
  scheduled_for AS "scheduledFor", cause, created_by AS "createdBy", created_at AS "createdAt"`;

export function toRevisionDto(row: RevisionRow): ContentRevisionDto {
  return {
    ...row,
    scheduledFor: row.scheduledFor ? row.scheduledFor.toISOString() : null,
    createdAt: row.createdAt.toISOString(),
  };
}

export function snapshotOf(row: RevisionRow) {
  const dto = toRevisionDto(row);
  return {
    title: dto.title,
    slug: dto.slug,
    body: dto.body,
    excerpt: dto.excerpt,
    tags: dto.tags,
    status: dto.status,
    scheduledFor: dto.scheduledFor,
  };
}

export type EventDtoRow = Omit<ContentEventDto, 'occurredAt'> & { occurredAt: Date };

export const EVENT_DTO_COLUMNS = `event_id AS "eventId", aggregate_id AS "aggregateId", type, version, payload,
  occurred_at AS "occurredAt"`;

export function toEventDto(row: EventDtoRow): ContentEventDto {
  return { ...row, occurredAt: new Date(row.occurredAt).toISOString() };
}

/** A live edit lease. */
export interface LockRow {
  holder: string;
  expiresAt: Date;
}
