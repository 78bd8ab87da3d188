import {
  EventDeadLetters1765100000000,
  OutboxAndInbox1764000000000,
  OutboxClaims1765300000000,
} from '@smartbeak/messaging';
import { postgresOptions } from '@smartbeak/persistence';
import { IdempotencyKeys1765200000000 } from '@smartbeak/runtime';
import { type DataSourceOptions } from 'typeorm';

import { MediaInitial1764200000000 } from './migrations/1764200000000-MediaInitial';

export const MIGRATIONS = [
  OutboxAndInbox1764000000000,
  MediaInitial1764200000000,
  EventDeadLetters1765100000000,
  IdempotencyKeys1765200000000,
  OutboxClaims1765300000000,
];

export function mediaDatabaseOptions(url: string, poolSize?: number): DataSourceOptions {
  return postgresOptions({
    url,
    migrations: MIGRATIONS,
    poolSize,
    applicationName: 'media',
  });
}
