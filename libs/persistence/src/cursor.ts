import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type Page } from '@smartbeak/contracts';
import { DomainError } from '@smartbeak/errors';
import { type QueryResultRow } from 'pg';

import { type Sql } from './database';
import { type Where } from './where';

type CursorValue = [string | number, string];

export function encodeCursor(value: Date | string | number, id: string): string {
  const key = value instanceof Date ? value.toISOString() : value;
  return Buffer.from(JSON.stringify([key, id])).toString('base64url');
}

export function decodeCursor(cursor: string): CursorValue {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      (typeof parsed[0] === 'string' || typeof parsed[0] === 'number') &&
      typeof parsed[1] === 'string' &&
      parsed[1].length <= 100
    ) {
      return parsed as CursorValue;
    }
  } catch {
    // fall through
  }
  throw DomainError.validation([
    { field: 'cursor', message: 'cursor must be a cursor returned by a previous page' },
  ]);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` is a uuid (a path id that is not one matches no row: skip the query). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

function badCursor(): DomainError {
  return DomainError.validation([
    { field: 'cursor', message: 'cursor must be a cursor returned by a previous page' },
  ]);
}

/** A `(timestamp, uuid)` cursor, checked: a well-formed cursor of another kind is a 400, not a 500. */
export function decodeTimeCursor(cursor: string): [string, string] {
  const [value, id] = decodeCursor(cursor);
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value)) || !UUID.test(id)) throw badCursor();
  return [value, id];
}

/** A `(number, id)` cursor (versions, positions), checked. */
export function decodeNumberCursor(cursor: string): number {
  const [value] = decodeCursor(cursor);
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw badCursor();
  return value;
}

/**
 * A `(number, id)` cursor of a sort on a figure (clicks, a position — not
 * unique, any finite number), tie-broken by a uuid or by a text key, checked.
 */
export function decodeSortCursor(cursor: string, id: 'uuid' | 'text'): [number, string] {
  const [value, key] = decodeCursor(cursor);
  if (typeof value !== 'number' || !Number.isFinite(value) || (id === 'uuid' && !UUID.test(key)))
    throw badCursor();
  return [value, key];
}

export function pageSize(limit?: number): number {
  if (!limit) return DEFAULT_PAGE_SIZE;
  return Math.min(Math.max(1, Math.trunc(limit)), MAX_PAGE_SIZE);
}

/**
 * Keyset pagination over raw SQL: the cursor is the sort key of the last row
 * seen, so a page costs one index range scan however deep it is, and rows
 * inserted meanwhile neither repeat nor shift later pages (no OFFSET).
 */
export interface KeysetQuery<Row> {
  /** `SELECT … FROM … [JOIN …]`, without WHERE, ORDER BY or LIMIT. */
  select: string;
  /** The filters (tenant scope first); the cursor's condition is added to it. */
  where: Where;
  /** The sort column, e.g. `i.created_at`. */
  sort: string;
  /**
   * `time`: a timestamptz sort key, tie-broken by `id` (a uuid column).
   * `number`: an integer key unique within `where` (versions of one item).
   */
  kind: 'time' | 'number';
  id?: string;
  direction?: 'DESC' | 'ASC';
  limit?: number;
  cursor?: string;
  /** The sort value and id of a row, for the next cursor. */
  keyOf: (row: Row) => [Date | number, string];
}

export async function keysetPage<Row extends QueryResultRow>(
  sql: Sql,
  query: KeysetQuery<Row>,
): Promise<Page<Row>> {
  const limit = pageSize(query.limit);
  const direction = query.direction ?? 'DESC';
  const comparator = direction === 'DESC' ? '<' : '>';
  const { where } = query;
  const order =
    query.kind === 'time'
      ? `${query.sort} ${direction}, ${query.id ?? 'id'} ${direction}`
      : `${query.sort} ${direction}`;
  if (query.cursor) {
    if (query.kind === 'time') {
      const [at, id] = decodeTimeCursor(query.cursor);
      where.add(`(${query.sort}, ${query.id ?? 'id'}) ${comparator} (?::timestamptz, ?::uuid)`, at, id);
    } else {
      where.add(`${query.sort} ${comparator} ?`, decodeNumberCursor(query.cursor));
    }
  }
  const rows = await sql.rows<Row>(
    `${query.select} WHERE ${where.sql} ORDER BY ${order} LIMIT ${where.param(limit + 1)}`,
    where.params,
  );
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(...query.keyOf(last)) : null };
}

/** The same page with each row turned into what the API returns. */
export function mapPage<Row, Out>(page: Page<Row>, map: (row: Row) => Out): Page<Out> {
  return { items: page.items.map(map), nextCursor: page.nextCursor };
}

/**
 * The most common page: newest first by creation time (`created_at`, ties by
 * `id`), for rows that carry `createdAt` and `id`. `alias` prefixes both
 * columns (`j` → `j.created_at`, `j.id`).
 */
export function newestFirst<Row extends QueryResultRow & { createdAt: Date; id: string }>(
  sql: Sql,
  select: string,
  where: Where,
  page: { limit?: number; cursor?: string },
  alias?: string,
): Promise<Page<Row>> {
  const column = (name: string) => (alias ? `${alias}.${name}` : name);
  return keysetPage<Row>(sql, {
    select,
    where,
    sort: column('created_at'),
    id: column('id'),
    kind: 'time',
    limit: page.limit,
    cursor: page.cursor,
    keyOf: (row) => [row.createdAt, row.id],
  });
}
