import { Injectable } from '@nestjs/common';
import { DomainAccess, requirePermissions } from '@smartbeak/auth';
import {
  CONTENT_MOVES,
  ContentError,
  type ContentItemDto,
  type ContentStatus,
  type CreateContentDto,
  Events,
  type RequestContext,
  type TransitionRequestDto,
  type UpdateContentDto,
} from '@smartbeak/contracts';
import { DomainError } from '@smartbeak/errors';
import { scopeOf } from '@smartbeak/persistence';

import { SchedulingService } from '../scheduling/scheduling.service';
import { allowedMoves, archivedIsReadOnly, revisionNotFound } from './content.errors';
import { ContentQueries } from './content-queries.service';
import { ContentWriter, type Writer } from './content-writer';
import { type ItemChanges } from './projection';
import { slugify } from './slug';

const EVENT_OF_STATUS: Record<ContentStatus, string> = {
  draft: Events.content.drafted,
  review: Events.content.submitted,
  scheduled: Events.content.scheduled,
  published: Events.content.published,
  archived: Events.content.archived,
};

type Decide = Parameters<ContentWriter['change']>[3];

function writerOf(ctx: RequestContext): Writer {
  return { scope: scopeOf(ctx), actor: ctx.userId };
}

/** What users change: create, edit, move, delete and restore items, restore revisions. */
@Injectable()
export class ContentCommands {
  constructor(
    private readonly writer: ContentWriter,
    private readonly queries: ContentQueries,
    private readonly scheduling: SchedulingService,
    private readonly domains: DomainAccess,
  ) {}

  /**
   * Every write to an existing item checks its domain first (under the row
   * lock): a suspended domain's content is read-only (403), whichever route.
   */
  private inActiveDomain(ctx: RequestContext, decide: Decide): Decide {
    return async (state, items) => {
      await this.domains.resolve(ctx, state.domainId);
      return decide(state, items);
    };
  }

  async create(ctx: RequestContext, input: CreateContentDto): Promise<ContentItemDto> {
    requirePermissions(ctx, 'content:write');
    const domain = await this.domains.resolve(ctx, input.domainId);
    const created = await this.writer.create(writerOf(ctx), domain.id, {
      title: input.title,
      slug: input.slug ?? slugify(input.title),
      body: input.body ?? '',
      excerpt: input.excerpt ?? '',
      tags: input.tags ?? [],
      status: 'draft',
    });
    return this.queries.withLock(ctx, created, null);
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
    const writer = writerOf(ctx);
    const next = await this.writer.change(
      writer,
      input.id,
      { expectedVersion: input.version, respectLock: true },
      this.inActiveDomain(ctx, async (state, items) => {
        if (state.status === 'archived') throw archivedIsReadOnly();
        if (input.slug !== undefined && input.slug !== state.slug) {
          changes.slug = await items.freeSlug(writer.scope, state.domainId, input.slug, state.id);
        }
        return { type: Events.content.updated, changes };
      }),
    );
    return this.queries.withLock(ctx, next);
  }

  async transition(ctx: RequestContext, input: TransitionRequestDto): Promise<ContentItemDto> {
    const next = await this.writer.change(
      writerOf(ctx),
      input.id,
      { expectedVersion: input.version, respectLock: true },
      this.inActiveDomain(ctx, (state) => {
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
      }),
    );
    if (next.status === 'scheduled') await this.scheduling.schedulePublish(next);
    return this.queries.withLock(ctx, next);
  }

  /** Soft delete: gone from the API at once, purged after the retention period. */
  async delete(ctx: RequestContext, id: string): Promise<void> {
    requirePermissions(ctx, 'content:write');
    await this.writer.change(
      writerOf(ctx),
      id,
      { respectLock: true },
      this.inActiveDomain(ctx, () => ({
        type: Events.content.deleted,
        changes: { deletedAt: new Date().toISOString() },
      })),
    );
  }

  /** Undoes a soft delete (before the purge). */
  async restore(ctx: RequestContext, id: string): Promise<ContentItemDto> {
    requirePermissions(ctx, 'content:write');
    const next = await this.writer.change(
      writerOf(ctx),
      id,
      { respectLock: false, deleted: true },
      this.inActiveDomain(ctx, () => ({
        type: Events.content.restored,
        changes: { deletedAt: null },
      })),
    );
    if (next.status === 'scheduled') await this.scheduling.schedulePublish(next);
    return this.queries.withLock(ctx, next);
  }

  /** Makes an old revision's content the new version (status and schedule stay as they are). */
  async restoreRevision(
    ctx: RequestContext,
    id: string,
    revision: number,
    version: number,
  ): Promise<ContentItemDto> {
    requirePermissions(ctx, 'content:write');
    const writer = writerOf(ctx);
    const next = await this.writer.change(
      writer,
      id,
      { expectedVersion: version, respectLock: true },
      this.inActiveDomain(ctx, async (state, items) => {
        if (state.status === 'archived') throw archivedIsReadOnly();
        const snapshot = await items.revision(writer.scope, state.id, revision);
        if (!snapshot) throw revisionNotFound(revision);
        return {
          type: Events.content.reverted,
          changes: {
            title: snapshot.title,
            slug:
              snapshot.slug === state.slug
                ? snapshot.slug
                : await items.freeSlug(writer.scope, state.domainId, snapshot.slug, state.id),
            body: snapshot.body,
            excerpt: snapshot.excerpt,
            tags: snapshot.tags,
          },
          extra: { restoredFrom: revision, title: snapshot.title },
        };
      }),
    );
    return this.queries.withLock(ctx, next);
  }
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
