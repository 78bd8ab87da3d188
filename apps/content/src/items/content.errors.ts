import { CONTENT_MOVES, ContentError, type ContentLockDto, type ContentStatus } from '@smartbeak/contracts';
import { DomainError } from '@smartbeak/errors';

import { type LockRow } from './item-rows';

export function itemNotFound(): DomainError {
  return new DomainError(ContentError.ITEM_NOT_FOUND, 'Content item not found');
}

/** 423: someone else holds the edit lease. */
export function lockedBy(lock: ContentLockDto | LockRow): DomainError {
  const holder = 'lockedBy' in lock ? lock.lockedBy : lock.holder;
  const expiresAt = 'lockedBy' in lock ? lock.expiresAt : lock.expiresAt.toISOString();
  return new DomainError(
    ContentError.LOCKED,
    `${holder} is editing this item (lock until ${expiresAt})`,
    undefined,
    { lockedBy: holder, expiresAt },
  );
}

/** The moves a user may ask for from `status` (not the system's own). */
export function allowedMoves(status: ContentStatus): ContentStatus[] {
  return (Object.entries(CONTENT_MOVES[status]) as [ContentStatus, string][])
    .filter(([, permission]) => permission !== 'system')
    .map(([to]) => to);
}

export function archivedIsReadOnly(): DomainError {
  return new DomainError(
    ContentError.ILLEGAL_TRANSITION,
    'Archived content cannot be edited; move it back to draft first',
    undefined,
    { currentStatus: 'archived', allowed: allowedMoves('archived') },
  );
}

export function revisionNotFound(version: number): DomainError {
  return new DomainError(ContentError.REVISION_NOT_FOUND, `This item has no version ${version}`);
}
