import { type ContentStatus, type Page } from '@smartbeak/contracts';
import { isUuid, keysetPage, orgFilter, Repository, type TenantScope, Where } from '@smartbeak/persistence';

import {
  COLUMN_NAMES,
  EVENT_DTO_COLUMNS,
  type EventDtoRow,
  ITEM_COLUMNS,
  type ItemRow,
  LOCK_COLUMNS,
  LOCK_JOIN,
  MUTABLE,
  REVISION_COLUMNS,
  type RevisionRow,
  valuesOf,
} from './item-rows';
import { type ItemEventPayload, type ItemState } from './projection';
import { escapeLike, nextSlug } from './slug';

export interface NewEvent {
  eventId: string;
  type: string;
  payload: ItemEventPayload;
  requestId: string | null;
}

export interface ItemFilters {
  domainId?: string;
  status?: ContentStatus;
  /** Part of the title, any case. */
  q?: string;
  /** Items carrying all of these. */
  tags?: string[];
  /** The author. */
  createdBy?: string;
  sort: 'createdAt' | 'updatedAt';
  limit?: number;
  cursor?: string;
}

/**
 * Content items with their events and revisions (one aggregate), always
 * within one org. System-wide sweeps are in content.system.ts.
 */
export class ContentRepository extends Repository {
  /** The item with its live lease; deleted items only when asked for. */
  async find(scope: TenantScope, id: string, deleted = false): Promise<ItemRow | undefined> {
    if (!isUuid(id)) return undefined;
    return this.sql.one<ItemRow>(
      `SELECT ${ITEM_COLUMNS}, ${LOCK_COLUMNS} FROM content_items i ${LOCK_JOIN}
        WHERE i.id = $1 AND ${orgFilter('i.org_id', '$2')} AND i.deleted_at IS ${deleted ? 'NOT NULL' : 'NULL'}`,
      [id, scope.orgId],
    );
  }

  /** The org's live items among `ids`, with their leases; ids that are not uuids are skipped. */
  findMany(scope: TenantScope, ids: string[]): Promise<ItemRow[]> {
    const valid = ids.filter((id) => isUuid(id));
    if (!valid.length) return Promise.resolve([]);
    return this.sql.rows<ItemRow>(
      `SELECT ${ITEM_COLUMNS}, ${LOCK_COLUMNS} FROM content_items i ${LOCK_JOIN}
        WHERE i.id = ANY($1::uuid[]) AND ${orgFilter('i.org_id', '$2')} AND i.deleted_at IS NULL`,
      [valid, scope.orgId],
    );
  }

  /** The same, row-locked until the caller's transaction ends (`in(tx)`). */
  async findForUpdate(scope: TenantScope, id: string, deleted = false): Promise<ItemRow | undefined> {
    if (!isUuid(id)) return undefined;
    return this.sql.one<ItemRow>(
      `SELECT ${ITEM_COLUMNS}, ${LOCK_COLUMNS} FROM content_items i ${LOCK_JOIN}
        WHERE i.id = $1 AND ${orgFilter('i.org_id', '$2')} AND i.deleted_at IS ${deleted ? 'NOT NULL' : 'NULL'}
        FOR UPDATE OF i`,
      [id, scope.orgId],
    );
  }

  list(scope: TenantScope, filters: ItemFilters): Promise<Page<ItemRow>> {
    const where = new Where().add('i.org_id = ?', scope.orgId).add('i.deleted_at IS NULL');
    if (filters.domainId) where.add('i.domain_id = ?', filters.domainId);
    if (filters.status) where.add('i.status = ?', filters.status);
    if (filters.q) where.add('lower(i.title) LIKE ?', `%${escapeLike(filters.q.toLowerCase())}%`);
    if (filters.tags?.length) where.add('i.tags @> ?::text[]', filters.tags);
    if (filters.createdBy) where.add('i.created_by = ?', filters.createdBy);
    const byUpdate = filters.sort === 'updatedAt';
    return keysetPage<ItemRow>(this.sql, {
      select: `SELECT ${ITEM_COLUMNS}, ${LOCK_COLUMNS} FROM content_items i ${LOCK_JOIN}`,
      where,
      sort: byUpdate ? 'i.updated_at' : 'i.created_at',
      id: 'i.id',
      kind: 'time',
      limit: filters.limit,
      cursor: filters.cursor,
      keyOf: (row) => [byUpdate ? row.updatedAt : row.createdAt, row.id],
    });
  }

  /**
   * Writes the item's new state, its event and its revision in one statement
   * (data-modifying CTEs: all or nothing). The event's version and time are
   * read from the row just written, so the three cannot disagree.
   *
   * `insert`: a new item; returns false when the slug was taken meanwhile.
   * `update`: guarded by the version the caller read under its row lock.
   */
  async write(
    scope: TenantScope,
    next: ItemState,
    event: NewEvent,
    mode: 'insert' | { previousVersion: number },
  ): Promise<boolean> {
    if (next.orgId !== scope.orgId) throw new Error('an item is written only within its own org');
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
      params = [next.id, mode.previousVersion, ...MUTABLE.map(([, field]) => next[field]), scope.orgId];
      write = `UPDATE content_items SET ${MUTABLE.map(([column], i) => `${column} = $${i + 3}`).join(', ')}
               WHERE id = $1 AND version = $2 AND org_id = $${params.length} RETURNING *`;
    }
    params.push(event.eventId, event.type, JSON.stringify(event.payload), event.requestId);
    const e = params.length - 3;
    const rows = await this.sql.rows<{ id: string }>(
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
  async freeSlug(
    scope: TenantScope,
    domainId: string,
    base: string,
    exceptId: string | null,
  ): Promise<string> {
    const row = await this.sql.one<{ taken: boolean; highest: string | null }>(
      `SELECT EXISTS (SELECT 1 FROM content_items WHERE domain_id = $1 AND org_id = $5 AND slug = $2
                        AND ($3::uuid IS NULL OR id <> $3::uuid)) AS taken,
              (SELECT max(substring(slug FROM char_length($2) + 2)::bigint) FROM content_items
                WHERE domain_id = $1 AND org_id = $5 AND slug LIKE $4 AND ($3::uuid IS NULL OR id <> $3::uuid)
                  AND substring(slug FROM char_length($2) + 2) ~ '^[0-9]{1,15}$') AS highest`,
      [domainId, base, exceptId, `${escapeLike(base)}-%`, scope.orgId],
    );
    if (!row?.taken) return base;
    return nextSlug(base, row.highest === null ? null : Number(row.highest));
  }

  /** Newest first, by version. */
  revisions(
    scope: TenantScope,
    itemId: string,
    page: { limit?: number; cursor?: string },
  ): Promise<Page<RevisionRow>> {
    return keysetPage<RevisionRow>(this.sql, {
      select: `SELECT ${REVISION_COLUMNS} FROM content_revisions`,
      where: new Where().add('item_id = ?', itemId).add('org_id = ?', scope.orgId),
      sort: 'version',
      kind: 'number',
      ...page,
      keyOf: (row) => [row.version, row.itemId],
    });
  }

  revision(scope: TenantScope, itemId: string, version: number): Promise<RevisionRow | undefined> {
    return this.sql.one<RevisionRow>(
      `SELECT ${REVISION_COLUMNS} FROM content_revisions WHERE item_id = $1 AND ${orgFilter('org_id', '$2')} AND version = $3`,
      [itemId, scope.orgId, version],
    );
  }

  /** The item's event stream, in version order. */
  events(
    scope: TenantScope,
    itemId: string,
    page: { limit?: number; cursor?: string },
  ): Promise<Page<EventDtoRow>> {
    return keysetPage<EventDtoRow>(this.sql, {
      select: `SELECT ${EVENT_DTO_COLUMNS} FROM content_events`,
      where: new Where().add('aggregate_id = ?', itemId).add('org_id = ?', scope.orgId),
      sort: 'version',
      kind: 'number',
      direction: 'ASC',
      ...page,
      keyOf: (row) => [row.version, row.aggregateId],
    });
  }
}
