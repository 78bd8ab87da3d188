import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type Page } from '@smartbeak/contracts';
import { DomainError } from '@smartbeak/errors';
import { type ObjectLiteral, type SelectQueryBuilder } from 'typeorm';

/**
 * Keyset pagination: the cursor is the sort key of the last row seen, so a
 * page costs one index range scan however deep it is, and rows inserted
 * meanwhile neither repeat nor shift later pages (no OFFSET).
 */
export interface KeysetOptions<T> {
  /** The sort column (e.g. `d.created_at`), tie-broken by `idColumn`. */
  sortColumn: string;
  idColumn: string;
  /** Reads the sort value and id back from an entity to build the next cursor. */
  keyOf: (row: T) => [Date | string | number, string];
  direction?: 'DESC' | 'ASC';
  limit?: number;
  cursor?: string;
}

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

export function pageSize(limit?: number): number {
  if (!limit) return DEFAULT_PAGE_SIZE;
  return Math.min(Math.max(1, Math.trunc(limit)), MAX_PAGE_SIZE);
}

export async function keysetPage<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  options: KeysetOptions<T>,
): Promise<Page<T>> {
  const limit = pageSize(options.limit);
  const direction = options.direction ?? 'DESC';
  const comparator = direction === 'DESC' ? '<' : '>';
  if (options.cursor) {
    const [value, id] = decodeCursor(options.cursor);
    query.andWhere(`(${options.sortColumn}, ${options.idColumn}) ${comparator} (:cursorValue, :cursorId)`, {
      cursorValue: value,
      cursorId: id,
    });
  }
  const rows = await query
    .orderBy(options.sortColumn, direction)
    .addOrderBy(options.idColumn, direction)
    .limit(limit + 1)
    .getMany();
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  const nextCursor = rows.length > limit && last ? encodeCursor(...options.keyOf(last)) : null;
  return { items, nextCursor };
}
