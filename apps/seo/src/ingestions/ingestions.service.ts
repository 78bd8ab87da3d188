import { Injectable } from '@nestjs/common';
import { DomainAccess, requirePermissions } from '@smartbeak/auth';
import {
  CommonError,
  type IngestionDto,
  type ListIngestionsQueryDto,
  type Page,
  type RequestContext,
  type RunIngestionDto,
} from '@smartbeak/contracts';
import { DomainError } from '@smartbeak/errors';
import { mapPage, scopeOf } from '@smartbeak/persistence';

import { IngestionQueue } from '../queues/ingestion-queue';
import { SourcesRepository } from '../sources/sources.repository';
import { type IngestionRow, IngestionsRepository } from './ingestions.repository';

/** Run-now, and the ingestion record. */
@Injectable()
export class IngestionsService {
  constructor(
    private readonly ingestions: IngestionsRepository,
    private readonly sources: SourcesRepository,
    private readonly domains: DomainAccess,
    private readonly queue: IngestionQueue,
  ) {}

  /** Queues a run of the source; while one is queued or running, answers that one instead. */
  async run(ctx: RequestContext, input: RunIngestionDto): Promise<IngestionDto> {
    requirePermissions(ctx, 'seo:write');
    const source = await this.sources.find(scopeOf(ctx), input.sourceId);
    if (!source || (ctx.domainId && source.domainId !== ctx.domainId))
      throw new DomainError(CommonError.NOT_FOUND, 'No such SEO source');
    if (source.paused)
      throw new DomainError(
        CommonError.RULE_VIOLATION,
        'The domain is suspended: its SEO sources are paused until it is resumed',
      );
    const queued = await this.ingestions.queue(scopeOf(ctx), source, 'manual', ctx.userId);
    if (queued.created) await this.queue.run(queued.id);
    return this.get(ctx, queued.id);
  }

  async get(ctx: RequestContext, id: string): Promise<IngestionDto> {
    requirePermissions(ctx, 'seo:read');
    const row = await this.ingestions.find(scopeOf(ctx), id);
    if (!row || (ctx.domainId && row.domainId !== ctx.domainId))
      throw new DomainError(CommonError.NOT_FOUND, 'No such ingestion');
    return toIngestionDto(row);
  }

  async list(ctx: RequestContext, query: ListIngestionsQueryDto): Promise<Page<IngestionDto>> {
    requirePermissions(ctx, 'seo:read');
    const domainId = query.domainId ?? ctx.domainId;
    const page = await this.ingestions.list(scopeOf(ctx), {
      domainId: domainId ? (await this.domains.resolve(ctx, domainId)).id : undefined,
      sourceId: query.sourceId,
      limit: query.limit,
      cursor: query.cursor,
    });
    return mapPage(page, toIngestionDto);
  }
}

export function toIngestionDto(row: IngestionRow): IngestionDto {
  return {
    id: row.id,
    sourceId: row.sourceId,
    domainId: row.domainId,
    sourceType: row.sourceType,
    trigger: row.trigger,
    state: row.state,
    windowStart: row.windowStart,
    windowEnd: row.windowEnd,
    rowsRead: row.rowsRead,
    rowsStored: row.rowsStored,
    rowsRejected: row.rowsRejected,
    rejectSample: row.rejectSample,
    unitsSpent: row.unitsSpent,
    pages: row.pages,
    ...(row.error ? { error: row.error } : {}),
    ...(row.errorCode ? { errorCode: row.errorCode } : {}),
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}
