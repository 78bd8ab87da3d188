import { Injectable } from '@nestjs/common';
import { DomainAccess, requirePermissions } from '@smartbeak/auth';
import {
  CommonError,
  type KeywordDto,
  type KeywordHistoryDto,
  type KeywordHistoryQueryDto,
  type ListKeywordsQueryDto,
  type ListSeoPagesQueryDto,
  type Page,
  type RequestContext,
  type SeoPageDto,
} from '@smartbeak/contracts';
import { DomainError } from '@smartbeak/errors';
import { mapPage, scopeOf } from '@smartbeak/persistence';

import { addDays, dayOf, monthsBack } from '../ingestions/windows';
import { type KeywordRow, KeywordsRepository } from './keywords.repository';

/** The longest history asked for at once: what Search Console keeps, and a little more. */
const MAX_HISTORY_DAYS = 550;

/** Reading keywords, a keyword's history and pages; `seo:read`, in the org (and the token's domain). */
@Injectable()
export class KeywordsService {
  constructor(
    private readonly keywords: KeywordsRepository,
    private readonly domains: DomainAccess,
  ) {}

  async list(ctx: RequestContext, query: ListKeywordsQueryDto): Promise<Page<KeywordDto>> {
    requirePermissions(ctx, 'seo:read');
    const page = await this.keywords.list(scopeOf(ctx), {
      domainId: await this.domainOf(ctx, query.domainId),
      q: query.q?.trim() || undefined,
      sort: query.sort ?? 'clicks',
      limit: query.limit,
      cursor: query.cursor,
    });
    return mapPage(page, toKeywordDto);
  }

  async history(ctx: RequestContext, query: KeywordHistoryQueryDto): Promise<KeywordHistoryDto> {
    requirePermissions(ctx, 'seo:read');
    const keyword = await this.keywords.find(scopeOf(ctx), query.id);
    if (!keyword || (ctx.domainId && keyword.domainId !== ctx.domainId))
      throw new DomainError(CommonError.NOT_FOUND, 'No such keyword');
    const today = dayOf(new Date());
    const to = query.to ?? today;
    const from = query.from ?? monthsBack(to, 16);
    if (from > to) throw DomainError.validation([{ field: 'from', message: 'from must not be after to' }]);
    if (addDays(from, MAX_HISTORY_DAYS) < to)
      throw DomainError.validation([{ field: 'from', message: `at most ${MAX_HISTORY_DAYS} days at once` }]);
    const points = await this.keywords.history(scopeOf(ctx), keyword.id, from, to);
    return { keyword: toKeywordDto(keyword), points };
  }

  async pages(ctx: RequestContext, query: ListSeoPagesQueryDto): Promise<Page<SeoPageDto>> {
    requirePermissions(ctx, 'seo:read');
    const domainId = await this.domainOf(ctx, query.domainId);
    const latest = await this.keywords.latestDay(scopeOf(ctx), domainId);
    if (!latest) return { items: [], nextCursor: null };
    return this.keywords.pages(scopeOf(ctx), {
      domainId,
      from: addDays(latest, -((query.days ?? 28) - 1)),
      to: latest,
      limit: query.limit,
      cursor: query.cursor,
    });
  }

  private async domainOf(ctx: RequestContext, requested?: string): Promise<string | undefined> {
    const domainId = requested ?? ctx.domainId;
    return domainId ? (await this.domains.resolve(ctx, domainId)).id : undefined;
  }
}

export function toKeywordDto(row: KeywordRow): KeywordDto {
  return {
    id: row.id,
    domainId: row.domainId,
    query: row.query,
    clicks: row.clicks,
    impressions: row.impressions,
    ctr: row.ctr,
    position: row.position,
    positionChange: row.positionChange,
    url: row.url,
    lastDate: row.lastDate,
  };
}
