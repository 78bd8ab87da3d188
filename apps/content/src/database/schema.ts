import { OutboxAndInbox1764000000000, type OutboxSource } from '@smartbeak/messaging';
import { postgresOptions } from '@smartbeak/persistence';
import { type DataSourceOptions } from 'typeorm';

import { ContentInitial1764300000000 } from './migrations/1764300000000-ContentInitial';

export const MIGRATIONS = [OutboxAndInbox1764000000000, ContentInitial1764300000000];

/** The relay reads the event store (item events) and the outbox (purges, lock breaks). */
export const CONTENT_RELAY_SOURCES: OutboxSource[] = [
  { table: 'content_events', idColumn: 'event_id', versionColumn: 'version', prune: false },
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
