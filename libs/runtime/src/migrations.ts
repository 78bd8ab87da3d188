import {
  EventDeadLetters1765100000000,
  OutboxAndInbox1764000000000,
  OutboxClaims1765300000000,
} from '@smartbeak/messaging';
import { type MigrationInterface } from 'typeorm';

import { IdempotencyKeys1765200000000 } from './idempotency';

type Migration = new () => MigrationInterface;

/**
 * A service's migrations: the tables every service has — outbox and inbox,
 * the relay's lease, event dead letters, idempotency keys — then its own.
 * TypeORM runs them in timestamp order, whatever the order here.
 */
export function serviceMigrations(...own: Migration[]): Migration[] {
  return [
    OutboxAndInbox1764000000000,
    EventDeadLetters1765100000000,
    IdempotencyKeys1765200000000,
    OutboxClaims1765300000000,
    ...own,
  ];
}
