import { randomBytes, randomUUID } from 'node:crypto';

import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DomainAccess, requirePermissions } from '@smartbeak/auth';
import {
  CommonError,
  CONTENT_MOVES,
  ContentError,
  type ContentDiffDto,
  type ContentEventDto,
  type ContentItemDto,
  type ContentLockDto,
  type ContentRevisionDto,
  type ContentStatus,
  type CreateContentDto,
  Events,
  type ListContentQueryDto,
  type Page,
  type PageQueryDto,
  type RequestContext,
  type TransitionRequestDto,
  type UpdateContentDto,
} from '@smartbeak/contracts';
import { DomainError } from '@smartbeak/errors';
import { appendToOutbox } from '@smartbeak/messaging';
import { currentRequestScope } from '@smartbeak/observability';
import {
  decodeNumberCursor,
  decodeTimeCursor,
  encodeCursor,
  isUniqueViolation,
  pageSize,
} from '@smartbeak/persistence';
import { SERVICE_CONFIG } from '@smartbeak/runtime';
import { type Queue } from 'bullmq';
import { DataSource, type EntityManager } from 'typeorm';

import { ContentConfig } from '../config/content.config';
import { MAINTENANCE_QUEUE, PUBLISH_DUE_JOB } from '../jobs/jobs';
import {
  freeSlug,
  ITEM_COLUMNS,
  type ItemRow,
  LOCK_COLUMNS,
  LOCK_JOIN,
  stateOf,
  writeChange,
} from './content.store';
import { diffSnapshots } from './diff';
import { CREATED, type ItemChanges, type ItemEventPayload, type ItemState, project } from './projection';
import { slugify } from './slug';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const SYSTEM_ACTOR = 'system';

/** What a write decides, given the current state. */
interface Decision {
  type: string;
  changes: ItemChanges;
  extra?: Record<string, unknown>;
}

interface ChangeOptions {
  /** The version the caller saw; another one is a 409 carrying the current one. */
  expectedVersion?: number;
  /** Refuse when another user holds the edit lock (423); the system ignores locks. */
  respectLock: boolean;
  /** Act on a soft-deleted item (restore) instead of treating it as missing. */
  deleted?: boolean;
}

const EVENT_OF_STATUS: Record<ContentStatus, string> = {
  draft: Events.content.drafted,
  review: Events.content.submitted,
  scheduled: Events.content.scheduled,
  published: Events.content.published,
  archived: Events.content.archived,
};

@Injectable()
export class ContentService {
  private readonly logger = new Logger(ContentService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SERVICE_CONFIG) private readonly config: ContentConfig,
    @InjectQueue(MAINTENANCE_QUEUE) private readonly queue: Queue,
    private readonly domains: DomainAccess,
  ) {}

  async create(ctx: RequestContext, input: CreateContentDto): Promise<ContentItemDto> {
    requirePermissions(ctx, 'content:write');
    const domain = await this.domains.resolve(ctx, input.domainId);
    const id = randomUUID();
    const now = new Date().toISOString();
    const baseSlug = input.slug ?? slugify(input.title);
    let slug = baseSlug;
    for (let attempt = 0; ; attempt++) {
      const changes: ItemChanges = {
        title: input.title,
        slug,
        body: input.body ?? '',
        excerpt: input.excerpt ?? '',
        tags: input.tags ?? [],
        status: 'draft',
      };
      const event = this.newEvent(CREATED, ctx.userId, changes);
      const next = project(null, {
        aggregateId: id,
        orgId: ctx.orgId,
        domainId: domain.id,
        type: CREATED,
        version: 1,
        occurredAt: now,
        payload: event.payload,
      });
      // Optimistic: the slug is usually free; on a clash, take the next free one and try again.
      if (await writeChange(this.dataSource.manager, next, event, 'insert')) return toItemDto(next, null);
      if (attempt >= 5) throw new DomainError(CommonError.CONFLICT, 'Could not find a free slug; try again');
      // Many writers racing for the same title all compute the same next number: after a
      // second clash, a random suffix ends the race.
      slug =
        attempt === 0
          ? await freeSlug(this.dataSource.manager, domain.id, baseSlug, null)
          : `${baseSlug}-${randomBytes(3).toString('hex')}`;
    }
  }

  async update(ctx: RequestContext, input: UpdateContentDto): Promise<ContentItemDto> {
    requirePermissions(ctx, 'content:write');
    const changes: ItemChanges = {};
    for (const field of ['title', 'body', 'excerpt', 'tags'] as const) {
      if (input[field] !== undefined) (changes as Record<string, unknown>)[field] = input[field];
    }
    if (!Object.keys(changes).length && input.slug === undefined) {
      throw DomainError.validation([
        { field: 'body', message: 'name at least one of title, body, slug, excerpt or tags to change' },
      ]);
    }
    const next = await this.change(
      ctx,
      input.id,
      { expectedVersion: input.version, respectLock: true },
      async (state, manager) => {
        if (state.status === 'archived') {
          throw new DomainError(
            ContentError.ILLEGAL_TRANSITION,
            'Archived content cannot be edited; move it back to draft first',
            undefined,
            { currentStatus: state.status, allowed: allowedMoves('archived') },
          );
        }
        if (input.slug !== undefined && input.slug !== state.slug) {
          changes.slug = await freeSlug(manager, state.domainId, input.slug, state.id);
        }
        return { type: Events.content.updated, changes };
      },
    );
    return this.withLock(next);
  }

  async transition(ctx: RequestContext, input: TransitionRequestDto): Promise<ContentItemDto> {
    const next = await this.change(
      ctx,
      input.id,
      { expectedVersion: input.version, respectLock: true },
      (state) => {
        const needed = CONTENT_MOVES[state.status][input.to];
        if (!needed || needed === 'system') {
          const allowed = allowedMoves(state.status);
          throw new DomainError(
            ContentError.ILLEGAL_TRANSITION,
            `Content cannot move from ${state.status} to ${input.to}` +
              (needed === 'system' ? ' by request: it is published by itself at scheduledFor' : '') +
              `; allowed: ${allowed.length ? allowed.join(', ') : 'none'}`,
            undefined,
            { currentStatus: state.status, allowed },
          );
        }
        requirePermissions(ctx, needed);
        const changes: ItemChanges = { status: input.to };
        if (input.to === 'scheduled') {
          changes.scheduledFor = futureInstant(input.scheduledFor);
        } else if (input.scheduledFor !== undefined) {
          throw DomainError.validation([
            { field: 'scheduledFor', message: 'scheduledFor is only for to=scheduled' },
          ]);
        }
        if (state.status === 'scheduled') changes.scheduledFor = null;
        if (input.to === 'published') changes.publishedAt = new Date().toISOString();
        if (state.status === 'archived') changes.coldAt = null;
        return { type: EVENT_OF_STATUS[input.to], changes, extra: { from: state.status, to: input.to } };
      },
    );
    if (next.status === 'scheduled') await this.schedulePublish(next);
    return this.withLock(next);
  }

  async get(ctx: RequestContext, id: string): Promise<ContentItemDto> {
    requirePermissions(ctx, 'content:read');
    const row = await this.findRow(ctx.orgId, id);
    if (!row) throw notFound();
    return toItemDto(stateOf(row), lockOf(row));
  }

  async list(ctx: RequestContext, query: ListContentQueryDto): Promise<Page<ContentItemDto>> {
    requirePermissions(ctx, 'content:read');
    const params: unknown[] = [ctx.orgId];
    const where = ['i.org_id = $1', 'i.deleted_at IS NULL'];
    const domainId = query.domainId ?? ctx.domainId;
    if (domainId) {
      params.push((await this.domains.resolve(ctx, domainId)).id);
      where.push(`i.domain_id = $${params.length}`);
    }
    if (query.status) {
      params.push(query.status);
      where.push(`i.status = $${params.length}`);
    }
    if (query.q) {
      params.push(`%${query.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      where.push(`lower(i.title) LIKE $${params.length}`);
    }
    const tags = query.tags
      ?.split(',')
      .map((tag) => tag.trim().toLowerCase())
      .filter(Boolean);
    if (tags?.length) {
      params.push(tags);
      where.push(`i.tags @> $${params.length}::text[]`);
    }
    const sort = query.sort === 'updatedAt' ? 'i.updated_at' : 'i.created_at';
    if (query.cursor) {
      const [value, id] = decodeTimeCursor(query.cursor);
      params.push(value, id);
      where.push(`(${sort}, i.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    const limit = pageSize(query.limit);
    params.push(limit + 1);
    const rows: ItemRow[] = await this.dataSource.query(
      `SELECT ${ITEM_COLUMNS}, ${LOCK_COLUMNS} FROM content_items i ${LOCK_JOIN}
        WHERE ${where.join(' AND ')} ORDER BY ${sort} DESC, i.id DESC LIMIT $${params.length}`,
      params,
    );
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map((row) => toItemDto(stateOf(row), lockOf(row))),
      nextCursor:
        rows.length > limit && last
          ? encodeCursor(query.sort === 'updatedAt' ? last.updatedAt : last.createdAt, last.id)
          : null,
    };
  }

  /** Soft delete: gone from the API at once, purged after the retention period. */
  async delete(ctx: RequestContext, id: string): Promise<void> {
    requirePermissions(ctx, 'content:write');
    await this.change(ctx, id, { respectLock: true }, () => ({
      type: Events.content.deleted,
      changes: { deletedAt: new Date().toISOString() },
    }));
  }

  /** Undoes a soft delete (before the purge). */
  async restore(ctx: RequestContext, id: string): Promise<ContentItemDto> {
    requirePermissions(ctx, 'content:write');
    const next = await this.change(ctx, id, { respectLock: false, deleted: true }, () => ({
      type: Events.content.restored,
      changes: { deletedAt: null },
    }));
    if (next.status === 'scheduled') await this.schedulePublish(next);
    return this.withLock(next);
  }

  async acquireLock(ctx: RequestContext, id: string, ttlSeconds?: number): Promise<ContentLockDto> {
    requirePermissions(ctx, 'content:write');
    const row = await this.findRow(ctx.orgId, id);
    if (!row) throw notFound();
    const ttl = ttlSeconds ?? this.config.CONTENT_LOCK_TTL_SECONDS;
    const taken: { holder: string; expiresAt: Date }[] = await this.dataSource.query(
      `INSERT INTO content_locks (item_id, org_id, holder, acquired_at, expires_at)
       VALUES ($1, $2, $3, now(), now() + make_interval(secs => $4))
       ON CONFLICT (item_id) DO UPDATE SET
         holder = EXCLUDED.holder,
         expires_at = EXCLUDED.expires_at,
         acquired_at = CASE WHEN content_locks.holder = EXCLUDED.holder AND content_locks.expires_at > now()
                            THEN content_locks.acquired_at ELSE EXCLUDED.acquired_at END
       WHERE content_locks.holder = EXCLUDED.holder OR content_locks.expires_at <= now()
       RETURNING holder, expires_at AS "expiresAt"`,
      [row.id, ctx.orgId, ctx.userId, ttl],
    );
    if (taken[0]) return { lockedBy: taken[0].holder, expiresAt: taken[0].expiresAt.toISOString() };
    const held = await this.liveLock(row.id);
    if (!held) return this.acquireLock(ctx, id, ttlSeconds); // expired in between: try again
    throw lockedBy(held);
  }

  /** Releases the caller's own lease; `org:admin` may break another user's, which is audited. */
  async releaseLock(ctx: RequestContext, id: string): Promise<void> {
    requirePermissions(ctx, 'content:write');
    const row = await this.findRow(ctx.orgId, id);
    if (!row) throw notFound();
    await this.dataSource.transaction(async (manager) => {
      const held: { holder: string; expiresAt: Date }[] = await manager.query(
        `SELECT holder, expires_at AS "expiresAt" FROM content_locks WHERE item_id = $1 AND expires_at > now() FOR UPDATE`,
        [row.id],
      );
      const lock = held[0];
      if (lock && lock.holder !== ctx.userId) {
        if (!ctx.permissions.includes('org:admin')) {
          throw new DomainError(
            ContentError.NOT_LOCK_HOLDER,
            `The lock is held by ${lock.holder} until ${lock.expiresAt.toISOString()}; only they or an admin can release it`,
            undefined,
            { lockedBy: lock.holder, expiresAt: lock.expiresAt.toISOString() },
          );
        }
        await appendToOutbox(manager, [
          {
            type: Events.content.lockRevoked,
            aggregateId: row.id,
            orgId: ctx.orgId,
            domainId: row.domainId,
            payload: {
              actor: ctx.userId,
              holder: lock.holder,
              expiresAt: lock.expiresAt.toISOString(),
              title: row.title,
            },
          },
        ]);
      }
      await manager.query(`DELETE FROM content_locks WHERE item_id = $1`, [row.id]);
    });
  }

  async revisions(
    ctx: RequestContext,
    id: string,
    query: PageQueryDto,
  ): Promise<Page<Omit<ContentRevisionDto, 'body'>>> {
    requirePermissions(ctx, 'content:read');
    const row = await this.findRow(ctx.orgId, id);
    if (!row) throw notFound();
    const params: unknown[] = [row.id, ctx.orgId];
    let before = '';
    if (query.cursor) {
      const version = decodeNumberCursor(query.cursor);
      params.push(version);
      before = `AND version < $3`;
    }
    const limit = pageSize(query.limit);
    params.push(limit + 1);
    const rows: RevisionRow[] = await this.dataSource.query(
      `SELECT ${REVISION_COLUMNS} FROM content_revisions
        WHERE item_id = $1 AND org_id = $2 ${before} ORDER BY version DESC LIMIT $${params.length}`,
      params,
    );
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map((revision) => {
        const { body: _body, ...rest } = toRevisionDto(revision);
        return rest;
      }),
      nextCursor: rows.length > limit && last ? encodeCursor(last.version, last.itemId) : null,
    };
  }

  async revision(ctx: RequestContext, id: string, version: number): Promise<ContentRevisionDto> {
    requirePermissions(ctx, 'content:read');
    const row = await this.findRow(ctx.orgId, id);
    if (!row) throw notFound();
    return toRevisionDto(await this.requireRevision(this.dataSource.manager, ctx.orgId, row.id, version));
  }

  async diff(ctx: RequestContext, id: string, a: number, b: number): Promise<ContentDiffDto> {
    requirePermissions(ctx, 'content:read');
    const row = await this.findRow(ctx.orgId, id);
    if (!row) throw notFound();
    const [from, to] = await Promise.all([
      this.requireRevision(this.dataSource.manager, ctx.orgId, row.id, a),
      this.requireRevision(this.dataSource.manager, ctx.orgId, row.id, b),
    ]);
    return { itemId: row.id, from: a, to: b, changes: diffSnapshots(snapshotOf(from), snapshotOf(to)) };
  }

  /** Makes an old revision's content the new version (status and schedule stay as they are). */
  async restoreRevision(
    ctx: RequestContext,
    id: string,
    revision: number,
    version: number,
  ): Promise<ContentItemDto> {
    requirePermissions(ctx, 'content:write');
    const next = await this.change(
      ctx,
      id,
      { expectedVersion: version, respectLock: true },
      async (state, manager) => {
        if (state.status === 'archived') {
          throw new DomainError(
            ContentError.ILLEGAL_TRANSITION,
            'Archived content cannot be edited; move it back to draft first',
            undefined,
            { currentStatus: state.status, allowed: allowedMoves('archived') },
          );
        }
        const snapshot = await this.requireRevision(manager, ctx.orgId, state.id, revision);
        return {
          type: Events.content.reverted,
          changes: {
            title: snapshot.title,
            slug:
              snapshot.slug === state.slug
                ? snapshot.slug
                : await freeSlug(manager, state.domainId, snapshot.slug, state.id),
            body: snapshot.body,
            excerpt: snapshot.excerpt,
            tags: snapshot.tags,
          },
          extra: { restoredFrom: revision, title: snapshot.title },
        };
      },
    );
    return this.withLock(next);
  }

  async events(ctx: RequestContext, id: string, query: PageQueryDto): Promise<Page<ContentEventDto>> {
    requirePermissions(ctx, 'content:read');
    const row = await this.findRow(ctx.orgId, id);
    if (!row) throw notFound();
    const params: unknown[] = [row.id, ctx.orgId];
    let after = '';
    if (query.cursor) {
      const version = decodeNumberCursor(query.cursor);
      params.push(version);
      after = `AND version > $3`;
    }
    const limit = pageSize(query.limit);
    params.push(limit + 1);
    const rows: (ContentEventDto & { occurredAt: Date })[] = await this.dataSource.query(
      `SELECT event_id AS "eventId", aggregate_id AS "aggregateId", type, version, payload, occurred_at AS "occurredAt"
         FROM content_events WHERE aggregate_id = $1 AND org_id = $2 ${after}
        ORDER BY version LIMIT $${params.length}`,
      params,
    );
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map((event) => ({ ...event, occurredAt: new Date(event.occurredAt).toISOString() })),
      nextCursor: rows.length > limit && last ? encodeCursor(last.version, last.aggregateId) : null,
    };
  }

  /**
   * Publishes a scheduled item whose time has come — once: the row lock and
   * the status check make a second caller (another replica's job, the
   * sweep) find nothing to do. Says what it did; `notDueForMs` when the job
   * came early (clocks differ) or the item was rescheduled later.
   */
  async publishDue(id: string): Promise<{ published: boolean; notDueForMs?: number }> {
    const rows: { orgId: string; dueInMs: number }[] = await this.dataSource.query(
      `SELECT org_id AS "orgId", (extract(epoch FROM scheduled_for - now()) * 1000)::float8 AS "dueInMs"
         FROM content_items WHERE id = $1 AND status = 'scheduled' AND deleted_at IS NULL`,
      [id],
    );
    const row = rows[0];
    if (!row) return { published: false };
    if (row.dueInMs > 0) return { published: false, notDueForMs: row.dueInMs };
    try {
      await this.change(systemContext(row.orgId), id, { respectLock: false }, (state) => {
        if (
          state.status !== 'scheduled' ||
          !state.scheduledFor ||
          Date.parse(state.scheduledFor) > Date.now()
        ) {
          throw new NothingToDo();
        }
        return {
          type: Events.content.published,
          changes: { status: 'published', scheduledFor: null, publishedAt: new Date().toISOString() },
          extra: { from: 'scheduled', to: 'published', scheduledFor: state.scheduledFor },
        };
      });
      return { published: true };
    } catch (error) {
      if (error instanceof NothingToDo) return { published: false };
      throw error;
    }
  }

  /** Scheduled items past their time (a lost delayed job, a flushed Redis): publish them now. */
  async publishOverdue(batch = 100): Promise<number> {
    const due: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM content_items
        WHERE status = 'scheduled' AND scheduled_for <= now() AND deleted_at IS NULL
        ORDER BY scheduled_for LIMIT $1`,
      [batch],
    );
    let published = 0;
    for (const { id } of due) if ((await this.publishDue(id)).published) published++;
    if (published) this.logger.log(`published ${published} overdue scheduled item(s)`);
    return published;
  }

  /**
   * Retention (ARCHITECTURE.md § Data rules): idle drafts → archived;
   * archived long ago → cold; soft-deleted long ago → purged with their
   * events, revisions and lock (a `content.item.purged` event remains in
   * the outbox for consumers). Safe on several replicas (SKIP LOCKED).
   */
  async applyRetention(batch = 200): Promise<{ archived: number; cold: number; purged: number }> {
    const archived = await this.sweep(
      `status = 'draft' AND updated_at < now() - make_interval(days => $1)`,
      this.config.CONTENT_DRAFT_IDLE_DAYS,
      batch,
      () => ({
        type: Events.content.archived,
        changes: { status: 'archived' },
        extra: { from: 'draft', to: 'archived', reason: 'retention: draft idle' },
      }),
    );
    const cold = await this.sweep(
      `status = 'archived' AND cold_at IS NULL AND updated_at < now() - make_interval(days => $1)`,
      this.config.CONTENT_COLD_AFTER_DAYS,
      batch,
      () => ({
        type: Events.content.coldStored,
        changes: { coldAt: new Date().toISOString() },
        extra: { reason: 'retention: archived over the cold threshold' },
      }),
    );
    const purged = await this.purgeDeleted(batch);
    await this.dataSource.query(`DELETE FROM content_locks WHERE expires_at < now() - interval '1 day'`);
    if (archived || cold || purged)
      this.logger.log(`retention: ${archived} archived, ${cold} cold, ${purged} purged`);
    return { archived, cold, purged };
  }

  private async sweep(
    condition: string,
    days: number,
    batch: number,
    decide: (state: ItemState) => Decision,
  ): Promise<number> {
    const rows: { id: string; orgId: string }[] = await this.dataSource.query(
      `SELECT id, org_id AS "orgId" FROM content_items
        WHERE deleted_at IS NULL AND ${condition} ORDER BY updated_at LIMIT $2`,
      [days, batch],
    );
    let done = 0;
    for (const row of rows) {
      const applied = await this.change(systemContext(row.orgId), row.id, { respectLock: false }, (state) => {
        // Re-checked under the row lock: a user may have touched it since the select.
        if (Date.parse(state.updatedAt) > Date.now() - days * 86_400_000) throw new NothingToDo();
        return decide(state);
      }).then(
        () => true,
        (error: unknown) => {
          if (error instanceof NothingToDo) return false;
          throw error;
        },
      );
      if (applied) done++;
    }
    return done;
  }

  private async purgeDeleted(batch: number): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      // A DELETE … RETURNING comes back from TypeORM as [rows, count].
      const [gone]: [{ id: string; orgId: string; domainId: string; slug: string }[], number] =
        await manager.query(
          `DELETE FROM content_items WHERE id IN (
           SELECT id FROM content_items WHERE deleted_at < now() - make_interval(days => $1)
            ORDER BY deleted_at LIMIT $2 FOR UPDATE SKIP LOCKED)
         RETURNING id, org_id AS "orgId", domain_id AS "domainId", slug`,
          [this.config.CONTENT_PURGE_AFTER_DAYS, batch],
        );
      if (!gone.length) return 0;
      const ids = gone.map((row) => row.id);
      await manager.query(`DELETE FROM content_revisions WHERE item_id = ANY($1::uuid[])`, [ids]);
      await manager.query(`DELETE FROM content_events WHERE aggregate_id = ANY($1::uuid[])`, [ids]);
      await manager.query(`DELETE FROM content_locks WHERE item_id = ANY($1::uuid[])`, [ids]);
      await appendToOutbox(
        manager,
        gone.map((row) => ({
          type: Events.content.purged,
          aggregateId: row.id,
          orgId: row.orgId,
          domainId: row.domainId,
          payload: { actor: SYSTEM_ACTOR, slug: row.slug },
        })),
      );
      return gone.length;
    });
  }

  /**
   * The one write path: lock the row, check the lease and the version,
   * decide, project, and write state + event + revision together.
   */
  private async change(
    ctx: RequestContext,
    id: string,
    options: ChangeOptions,
    decide: (state: ItemState, manager: EntityManager) => Decision | Promise<Decision>,
  ): Promise<ItemState> {
    if (!UUID.test(id)) throw notFound();
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.dataSource.transaction(async (manager) => {
          const rows: ItemRow[] = await manager.query(
            `SELECT ${ITEM_COLUMNS}, ${LOCK_COLUMNS} FROM content_items i ${LOCK_JOIN}
              WHERE i.id = $1 AND i.org_id = $2 AND i.deleted_at IS ${options.deleted ? 'NOT NULL' : 'NULL'}
              FOR UPDATE OF i`,
            [id, ctx.orgId],
          );
          const row = rows[0];
          if (!row) {
            if (options.deleted && (await this.findRow(ctx.orgId, id))) {
              throw new DomainError(ContentError.NOT_DELETED, 'This content item is not deleted');
            }
            throw notFound();
          }
          const lock = lockOf(row);
          if (options.respectLock && lock && lock.lockedBy !== ctx.userId) throw lockedBy(lock);
          if (options.expectedVersion !== undefined && options.expectedVersion !== row.version) {
            throw new DomainError(
              ContentError.VERSION_CONFLICT,
              `The item is at version ${row.version}, not ${options.expectedVersion}: reload it and apply the change again`,
              [{ field: 'version', message: `must be the current version, ${row.version}` }],
              { currentVersion: row.version },
            );
          }
          const state = stateOf(row);
          const decision = await decide(state, manager);
          const event = this.newEvent(decision.type, ctx.userId, decision.changes, decision.extra);
          const next = project(state, {
            aggregateId: state.id,
            orgId: state.orgId,
            domainId: state.domainId,
            type: decision.type,
            version: state.version + 1,
            occurredAt: new Date(Math.max(Date.now(), Date.parse(state.updatedAt))).toISOString(),
            payload: event.payload,
          });
          await writeChange(manager, next, event, { previousVersion: state.version });
          return next;
        });
      } catch (error) {
        // Another item took the slug between our check and our write: check again.
        if (attempt < 3 && isUniqueViolation(error)) continue;
        throw error;
      }
    }
  }

  private newEvent(type: string, actor: string, changes: ItemChanges, extra: Record<string, unknown> = {}) {
    const payload: ItemEventPayload = { ...extra, actor, changes };
    return { eventId: randomUUID(), type, payload, requestId: currentRequestScope()?.requestId ?? null };
  }

  private async schedulePublish(item: ItemState): Promise<void> {
    if (!item.scheduledFor) return;
    const delay = Math.max(0, Date.parse(item.scheduledFor) - Date.now());
    try {
      await this.queue.add(
        PUBLISH_DUE_JOB,
        { id: item.id },
        {
          // One job per scheduling; replicas adding the same id add it once.
          jobId: `publish-${item.id}-${item.version}`,
          delay,
          attempts: 5,
          backoff: { type: 'exponential', delay: 1_000 },
          removeOnComplete: 1_000,
          removeOnFail: 5_000,
        },
      );
    } catch (error) {
      // The item is scheduled either way: the overdue sweep publishes it if this job is missing.
      this.logger.warn(`could not queue the publish of ${item.id}: ${(error as Error).message}`);
    }
  }

  private async withLock(state: ItemState): Promise<ContentItemDto> {
    const lock = await this.liveLock(state.id);
    return toItemDto(state, lock ? { lockedBy: lock.holder, expiresAt: lock.expiresAt.toISOString() } : null);
  }

  private async liveLock(id: string): Promise<{ holder: string; expiresAt: Date } | undefined> {
    const rows: { holder: string; expiresAt: Date }[] = await this.dataSource.query(
      `SELECT holder, expires_at AS "expiresAt" FROM content_locks WHERE item_id = $1 AND expires_at > now()`,
      [id],
    );
    return rows[0];
  }

  private async findRow(orgId: string, id: string): Promise<ItemRow | undefined> {
    if (!UUID.test(id)) return undefined;
    const rows: ItemRow[] = await this.dataSource.query(
      `SELECT ${ITEM_COLUMNS}, ${LOCK_COLUMNS} FROM content_items i ${LOCK_JOIN}
        WHERE i.id = $1 AND i.org_id = $2 AND i.deleted_at IS NULL`,
      [id, orgId],
    );
    return rows[0];
  }

  private async requireRevision(
    manager: EntityManager,
    orgId: string,
    itemId: string,
    version: number,
  ): Promise<RevisionRow> {
    const rows: RevisionRow[] = await manager.query(
      `SELECT ${REVISION_COLUMNS} FROM content_revisions WHERE item_id = $1 AND org_id = $2 AND version = $3`,
      [itemId, orgId, version],
    );
    if (!rows[0]) {
      throw new DomainError(ContentError.REVISION_NOT_FOUND, `This item has no version ${version}`);
    }
    return rows[0];
  }
}

/** Thrown inside a system change that finds, under the row lock, nothing left to do. */
class NothingToDo extends Error {}

function systemContext(orgId: string): RequestContext {
  return { userId: SYSTEM_ACTOR, orgId, domainId: null, permissions: [], requestId: '' };
}

/** The moves a user may ask for from `status` (not the system's own). */
export function allowedMoves(status: ContentStatus): ContentStatus[] {
  return (Object.entries(CONTENT_MOVES[status]) as [ContentStatus, string][])
    .filter(([, permission]) => permission !== 'system')
    .map(([to]) => to);
}

function futureInstant(value: string | undefined): string {
  const at = value ? Date.parse(value) : NaN;
  if (!value || Number.isNaN(at)) {
    throw DomainError.validation([
      { field: 'scheduledFor', message: 'scheduledFor is required to schedule, as an ISO 8601 date-time' },
    ]);
  }
  if (at <= Date.now()) {
    throw DomainError.validation([{ field: 'scheduledFor', message: 'scheduledFor must be in the future' }]);
  }
  return new Date(at).toISOString();
}

function notFound(): DomainError {
  return new DomainError(ContentError.ITEM_NOT_FOUND, 'Content item not found');
}

function lockOf(row: ItemRow): ContentLockDto | null {
  return row.lockHolder && row.lockExpiresAt
    ? { lockedBy: row.lockHolder, expiresAt: new Date(row.lockExpiresAt).toISOString() }
    : null;
}

function lockedBy(lock: ContentLockDto | { holder: string; expiresAt: Date }): DomainError {
  const holder = 'lockedBy' in lock ? lock.lockedBy : lock.holder;
  const expiresAt = 'lockedBy' in lock ? lock.expiresAt : lock.expiresAt.toISOString();
  return new DomainError(
    ContentError.LOCKED,
    `${holder} is editing this item (lock until ${expiresAt})`,
    undefined,
    { lockedBy: holder, expiresAt },
  );
}

export function toItemDto(state: ItemState, lock: ContentLockDto | null): ContentItemDto {
  return {
    id: state.id,
    domainId: state.domainId,
    title: state.title,
    slug: state.slug,
    body: state.body,
    excerpt: state.excerpt,
    tags: state.tags,
    status: state.status,
    version: state.version,
    scheduledFor: state.scheduledFor,
    publishedAt: state.publishedAt,
    createdBy: state.createdBy,
    updatedBy: state.updatedBy,
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
    lock,
    coldSince: state.coldAt,
  };
}

interface RevisionRow {
  itemId: string;
  version: number;
  title: string;
  slug: string;
  body: string;
  excerpt: string;
  tags: string[];
  status: ContentStatus;
  scheduledFor: Date | null;
  cause: string;
  createdBy: string;
  createdAt: Date;
}

const REVISION_COLUMNS = `item_id AS "itemId", version, title, slug, body, excerpt, tags, status,
  scheduled_for AS "scheduledFor", cause, created_by AS "createdBy", created_at AS "createdAt"`;

function toRevisionDto(row: RevisionRow): ContentRevisionDto {
  return {
    ...row,
    scheduledFor: row.scheduledFor ? row.scheduledFor.toISOString() : null,
    createdAt: row.createdAt.toISOString(),
  };
}

function snapshotOf(row: RevisionRow) {
  const dto = toRevisionDto(row);
  return {
    title: dto.title,
    slug: dto.slug,
    body: dto.body,
    excerpt: dto.excerpt,
    tags: dto.tags,
    status: dto.status,
    scheduledFor: dto.scheduledFor,
  };
}
