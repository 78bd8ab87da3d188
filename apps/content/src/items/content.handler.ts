import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { RpcCtx } from '@smartbeak/auth';
import {
  type ContentDiffDto,
  type ContentEventDto,
  ContentIdDto,
  ContentIdsDto,
  type ContentItemDto,
  type ContentLockDto,
  type ContentRevisionDto,
  CreateContentDto,
  ListContentQueryDto,
  LockRequestDto,
  type Page,
  Patterns,
  type RequestContext,
  RestoreRevisionRequestDto,
  RevisionDiffRefDto,
  RevisionListQueryDto,
  RevisionRefDto,
  TransitionRequestDto,
  UpdateContentDto,
} from '@smartbeak/contracts';
import { RpcPayload } from '@smartbeak/messaging';
import { IdempotentCommand } from '@smartbeak/runtime';

import { EditLocksService } from '../locks/edit-locks.service';
import { ContentCommands } from './content-commands.service';
import { ContentQueries } from './content-queries.service';

@Controller()
export class ContentHandler {
  constructor(
    private readonly commands: ContentCommands,
    private readonly queries: ContentQueries,
    private readonly locks: EditLocksService,
  ) {}

  @MessagePattern(Patterns.content.create)
  @IdempotentCommand()
  create(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(CreateContentDto) input: CreateContentDto,
  ): Promise<ContentItemDto> {
    return this.commands.create(ctx, input);
  }

  @MessagePattern(Patterns.content.update)
  update(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(UpdateContentDto) input: UpdateContentDto,
  ): Promise<ContentItemDto> {
    return this.commands.update(ctx, input);
  }

  @MessagePattern(Patterns.content.getMany)
  getMany(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(ContentIdsDto) { ids }: ContentIdsDto,
  ): Promise<ContentItemDto[]> {
    return this.queries.getMany(ctx, ids);
  }

  @MessagePattern(Patterns.content.get)
  get(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(ContentIdDto) { id }: ContentIdDto,
  ): Promise<ContentItemDto> {
    return this.queries.get(ctx, id);
  }

  @MessagePattern(Patterns.content.list)
  list(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(ListContentQueryDto) query: ListContentQueryDto,
  ): Promise<Page<ContentItemDto>> {
    return this.queries.list(ctx, query);
  }

  @MessagePattern(Patterns.content.transition)
  transition(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(TransitionRequestDto) input: TransitionRequestDto,
  ): Promise<ContentItemDto> {
    return this.commands.transition(ctx, input);
  }

  @MessagePattern(Patterns.content.delete)
  async delete(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(ContentIdDto) { id }: ContentIdDto,
  ): Promise<{ deleted: true }> {
    await this.commands.delete(ctx, id);
    return { deleted: true };
  }

  @MessagePattern(Patterns.content.restore)
  restore(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(ContentIdDto) { id }: ContentIdDto,
  ): Promise<ContentItemDto> {
    return this.commands.restore(ctx, id);
  }

  @MessagePattern(Patterns.content.events)
  events(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(RevisionListQueryDto) { id, ...page }: RevisionListQueryDto,
  ): Promise<Page<ContentEventDto>> {
    return this.queries.events(ctx, id, page);
  }

  @MessagePattern(Patterns.content.lockAcquire)
  acquireLock(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(LockRequestDto) { id, ttlSeconds }: LockRequestDto,
  ): Promise<ContentLockDto> {
    return this.locks.acquire(ctx, id, ttlSeconds);
  }

  @MessagePattern(Patterns.content.lockRelease)
  async releaseLock(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(ContentIdDto) { id }: ContentIdDto,
  ): Promise<{ released: true }> {
    await this.locks.release(ctx, id);
    return { released: true };
  }

  @MessagePattern(Patterns.content.revisionList)
  revisions(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(RevisionListQueryDto) { id, ...page }: RevisionListQueryDto,
  ): Promise<Page<Omit<ContentRevisionDto, 'body'>>> {
    return this.queries.revisions(ctx, id, page);
  }

  @MessagePattern(Patterns.content.revisionGet)
  revision(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(RevisionRefDto) { id, revision }: RevisionRefDto,
  ): Promise<ContentRevisionDto> {
    return this.queries.revision(ctx, id, revision);
  }

  @MessagePattern(Patterns.content.revisionDiff)
  diff(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(RevisionDiffRefDto) { id, a, b }: RevisionDiffRefDto,
  ): Promise<ContentDiffDto> {
    return this.queries.diff(ctx, id, a, b);
  }

  @MessagePattern(Patterns.content.revisionRestore)
  restoreRevision(
    @RpcCtx() ctx: RequestContext,
    @RpcPayload(RestoreRevisionRequestDto) { id, revision, version }: RestoreRevisionRequestDto,
  ): Promise<ContentItemDto> {
    return this.commands.restoreRevision(ctx, id, revision, version);
  }
}
