import {
  EventDeadLetters1765100000000,
  OutboxAndInbox1764000000000,
  OutboxClaims1765300000000,
  outboxClaimsMigration,
  type OutboxSource,
} from '@smartbeak/messaging';
import { postgresOptions } from '@smartbeak/persistence';
import { IdempotencyKeys1765200000000 } from '@smartbeak/runtime';
import { type DataSourceOptions } from 'typeorm';

import { ContentInitial1764300000000 } from './migrations/1764300000000-ContentInitial';

export const MIGRATIONS = [
  OutboxAndInbox1764000000000,
  ContentInitial1764300000000,
  EventDeadLetters1765100000000,
  IdempotencyKeys1765200000000,
  OutboxClaims1765300000000,
  outboxClaimsMigration('content_events', 1765300000001),
];

/** The relay reads the event store (item events) and the outbox (purges, lock breaks). */
/**
 * An item event as other services get it: who, and what changed — the
 * changed fields by name, the small ones with their values, never the body or
 * excerpt (up to a megabyte each); a consumer that needs them asks content.
 */
export function itemEventOnTheWire(_type: string, payload: Record<string, unknown>): Record<string, unknown> {
  const { changes, ...rest } = payload as { changes?: Record<string, unknown> };
  if (!changes || typeof changes !== 'object') return payload;
  const { body: _body, excerpt: _excerpt, ...small } = changes;
  return { ...rest, changed: Object.keys(changes), changes: small };
}

export const CONTENT_RELAY_SOURCES: OutboxSource[] = [
  {
    table: 'content_events',
    idColumn: 'event_id',
    versionColumn: 'version',
    prune: false,
    toWire: itemEventOnTheWire,
  },
  { table: 'outbox', idColumn: 'id', prune: true },
];

export function contentDatabaseOptions(url: string, poolSize?: number): DataSourceOptions {
  return postgresOptions({
    url,
    migrations: MIGRATIONS,
    poolSize,
    applicationName: 'content',
  });
}
