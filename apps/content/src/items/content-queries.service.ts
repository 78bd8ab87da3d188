import { Injectable } from '@nestjs/common';
import { DomainAccess, requirePermissions } from '@smartbeak/auth';
import {
  type ContentDiffDto,
  type ContentEventDto,
  type ContentItemDto,
  type ContentLockDto,
  type ContentRevisionDto,
  type ListContentQueryDto,
  type Page,
  type PageQueryDto,
  type RequestContext,
} from '@smartbeak/contracts';
import { mapPage, scopeOf } from '@smartbeak/persistence';

import { EditLocksRepository } from '../locks/edit-locks.repository';
import { ContentRepository } from './content.repository';
import { itemNotFound, revisionNotFound } from './content.errors';
import { diffSnapshots } from './diff';
import { type ItemRow, lockOf, snapshotOf, stateOf, toEventDto, toItemDto, toRevisionDto } from './item-rows';
import { type ItemState } from './projection';

/** What users read: items, lists, revisions and diffs, the event stream. */
@Injectable()
export class ContentQueries {
  constructor(
    private readonly items: ContentRepository,
    private readonly locks: EditLocksRepository,
    private readonly domains: DomainAccess,
  ) {}

  async get(ctx: RequestContext, id: string): Promise<ContentItemDto> {
    requirePermissions(ctx, 'content:read');
    const row = await this.require(ctx, id);
    return toItemDto(stateOf(row), lockOf(row));
  }

  /** The org's live items among `ids` (others, deleted or another org's, are left out); one query. */
  async getMany(ctx: RequestContext, ids: string[]): Promise<ContentItemDto[]> {
    requirePermissions(ctx, 'content:read');
    const rows = await this.items.findMany(scopeOf(ctx), ids);
    return rows.map((row) => toItemDto(stateOf(row), lockOf(row)));
  }

  async list(ctx: RequestContext, query: ListContentQueryDto): Promise<Page<ContentItemDto>> {
    requirePermissions(ctx, 'content:read');
    const domainId = query.domainId ?? ctx.domainId;
    const page = await this.items.list(scopeOf(ctx), {
      domainId: domainId ? (await this.domains.resolve(ctx, domainId)).id : undefined,
      status: query.status,
      q: query.q,
      tags: query.tags
        ?.split(',')
        .map((tag) => tag.trim().toLowerCase())
        .filter(Boolean),
      createdBy: query.createdBy,
      sort: query.sort === 'updatedAt' ? 'updatedAt' : 'createdAt',
      limit: query.limit,
      cursor: query.cursor,
    });
    return mapPage(page, (row) => toItemDto(stateOf(row), lockOf(row)));
  }

  async revisions(
    ctx: RequestContext,
    id: string,
    query: PageQueryDto,
  ): Promise<Page<Omit<ContentRevisionDto, 'body'>>> {
    requirePermissions(ctx, 'content:read');
    const row = await this.require(ctx, id);
    const page = await this.items.revisions(scopeOf(ctx), row.id, query);
    return mapPage(page, (revision) => {
      const { body: _body, ...rest } = toRevisionDto(revision);
      return rest;
    });
  }

  async revision(ctx: RequestContext, id: string, version: number): Promise<ContentRevisionDto> {
    requirePermissions(ctx, 'content:read');
    const row = await this.require(ctx, id);
    const revision = await this.items.revision(scopeOf(ctx), row.id, version);
    if (!revision) throw revisionNotFound(version);
    return toRevisionDto(revision);
  }

  async diff(ctx: RequestContext, id: string, a: number, b: number): Promise<ContentDiffDto> {
    requirePermissions(ctx, 'content:read');
    const row = await this.require(ctx, id);
    const [from, to] = await Promise.all([
      this.items.revision(scopeOf(ctx), row.id, a),
      this.items.revision(scopeOf(ctx), row.id, b),
    ]);
    if (!from) throw revisionNotFound(a);
    if (!to) throw revisionNotFound(b);
    return { itemId: row.id, from: a, to: b, changes: diffSnapshots(snapshotOf(from), snapshotOf(to)) };
  }

  async events(ctx: RequestContext, id: string, query: PageQueryDto): Promise<Page<ContentEventDto>> {
    requirePermissions(ctx, 'content:read');
    const row = await this.require(ctx, id);
    return mapPage(await this.items.events(scopeOf(ctx), row.id, query), toEventDto);
  }

  /** An item just written, with its live lease (`lock` when the caller knows it already). */
  async withLock(
    ctx: RequestContext,
    state: ItemState,
    lock?: ContentLockDto | null,
  ): Promise<ContentItemDto> {
    if (lock !== undefined) return toItemDto(state, lock);
    const live = await this.locks.live(scopeOf(ctx), state.id);
    return toItemDto(state, live ? { lockedBy: live.holder, expiresAt: live.expiresAt.toISOString() } : null);
  }

  private async require(ctx: RequestContext, id: string): Promise<ItemRow> {
    const row = await this.items.find(scopeOf(ctx), id);
    if (!row) throw itemNotFound();
    return row;
  }
}
