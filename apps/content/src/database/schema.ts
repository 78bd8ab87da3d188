import { outboxClaimsMigration, type OutboxSource } from '@smartbeak/messaging';
import { postgresOptions } from '@smartbeak/persistence';
import { serviceMigrations } from '@smartbeak/runtime';
import { type DataSourceOptions } from 'typeorm';

import { ContentInitial1764300000000 } from './migrations/1764300000000-ContentInitial';

export const MIGRATIONS = serviceMigrations(
  ContentInitial1764300000000,
  // The event store is relayed too: its rows take the relay's lease like the outbox's.
  outboxClaimsMigration('content_events', 1765300000001),
);

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

/** The relay reads the event store (item events) and the outbox (purges, lock breaks). */
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
