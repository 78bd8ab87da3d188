import { randomBytes, randomUUID } from 'node:crypto';

import { Injectable } from '@nestjs/common';
import { CommonError, ContentError } from '@smartbeak/contracts';
import { DomainError } from '@smartbeak/errors';
import { currentRequestScope } from '@smartbeak/observability';
import { Database, isUniqueViolation, type OrgScope } from '@smartbeak/persistence';

import { ContentRepository } from './content.repository';
import { itemNotFound, lockedBy } from './content.errors';
import { lockOf, stateOf } from './item-rows';
import { CREATED, type ItemChanges, type ItemEventPayload, type ItemState, project } from './projection';

/** What a write decides, given the current state. */
export interface Decision {
  type: string;
  changes: ItemChanges;
  extra?: Record<string, unknown>;
}

export interface ChangeOptions {
  /** The version the caller saw; another one is a 409 carrying the current one. */
  expectedVersion?: number;
  /** Refuse when another user holds the edit lock (423); the system ignores locks. */
  respectLock: boolean;
  /** Act on a soft-deleted item (restore) instead of treating it as missing. */
  deleted?: boolean;
}

/** Who writes: a user of the org, or the system acting for it. */
export interface Writer {
  scope: OrgScope;
  actor: string;
}

/** Thrown by a `decide` that finds, under the row lock, nothing left to do (system changes). */
export class NothingToDo extends Error {}

/**
 * The one write path of content. Every change — a user's edit, a move, a
 * restore, the scheduler's publish, a retention sweep — goes through
 * `change`: lock the row, check the lease and the version, decide, project,
 * and write state + event + revision in one statement.
 */
@Injectable()
export class ContentWriter {
  constructor(
    private readonly db: Database,
    private readonly items: ContentRepository,
  ) {}

  /** A new draft; the slug is `baseSlug` or the next free one. */
  async create(
    writer: Writer,
    domainId: string,
    changes: ItemChanges & { slug: string },
  ): Promise<ItemState> {
    const id = randomUUID();
    const now = new Date().toISOString();
    const baseSlug = changes.slug;
    let slug = baseSlug;
    for (let attempt = 0; ; attempt++) {
      const event = newEvent(CREATED, writer.actor, { ...changes, slug });
      const next = project(null, {
        aggregateId: id,
        orgId: writer.scope.orgId,
        domainId,
        type: CREATED,
        version: 1,
        occurredAt: now,
        payload: event.payload,
      });
      // Optimistic: the slug is usually free; on a clash, take the next free one and try again.
      if (await this.items.write(writer.scope, next, event, 'insert')) return next;
      if (attempt >= 5) throw new DomainError(CommonError.CONFLICT, 'Could not find a free slug; try again');
      // Many writers racing for the same title all compute the same next number: after a
      // second clash, a random suffix ends the race.
      slug =
        attempt === 0
          ? await this.items.freeSlug(writer.scope, domainId, baseSlug, null)
          : `${baseSlug}-${randomBytes(3).toString('hex')}`;
    }
  }

  async change(
    writer: Writer,
    id: string,
    options: ChangeOptions,
    decide: (state: ItemState, items: ContentRepository) => Decision | Promise<Decision>,
  ): Promise<ItemState> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.db.transaction(async (tx) => {
          const items = this.items.in(tx);
          const row = await items.findForUpdate(writer.scope, id, options.deleted);
          if (!row) {
            if (options.deleted && (await items.find(writer.scope, id))) {
              throw new DomainError(ContentError.NOT_DELETED, 'This content item is not deleted');
            }
            throw itemNotFound();
          }
          const lock = lockOf(row);
          if (options.respectLock && lock && lock.lockedBy !== writer.actor) throw lockedBy(lock);
          if (options.expectedVersion !== undefined && options.expectedVersion !== row.version) {
            throw new DomainError(
              ContentError.VERSION_CONFLICT,
              `The item is at version ${row.version}, not ${options.expectedVersion}: reload it and apply the change again`,
              [{ field: 'version', message: `must be the current version, ${row.version}` }],
              { currentVersion: row.version },
            );
          }
          const state = stateOf(row);
          const decision = await decide(state, items);
          const event = newEvent(decision.type, writer.actor, decision.changes, decision.extra);
          const next = project(state, {
            aggregateId: state.id,
            orgId: state.orgId,
            domainId: state.domainId,
            type: decision.type,
            version: state.version + 1,
            occurredAt: new Date(Math.max(Date.now(), Date.parse(state.updatedAt))).toISOString(),
            payload: event.payload,
          });
          await items.write(writer.scope, next, event, { previousVersion: state.version });
          return next;
        });
      } catch (error) {
        // Another item took the slug between our check and our write: check again.
        if (attempt < 3 && isUniqueViolation(error)) continue;
        throw error;
      }
    }
  }

  /** `change` for the system: resolves false when `decide` found nothing to do. */
  async changeIfNeeded(writer: Writer, id: string, decide: (state: ItemState) => Decision): Promise<boolean> {
    try {
      await this.change(writer, id, { respectLock: false }, decide);
      return true;
    } catch (error) {
      if (error instanceof NothingToDo) return false;
      throw error;
    }
  }
}

function newEvent(type: string, actor: string, changes: ItemChanges, extra: Record<string, unknown> = {}) {
  const payload: ItemEventPayload = { ...extra, actor, changes };
  return { eventId: randomUUID(), type, payload, requestId: currentRequestScope()?.requestId ?? null };
}
