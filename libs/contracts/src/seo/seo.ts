import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDateString,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  MinLength,
} from 'class-validator';

import { PageQueryDto } from '../pagination';

/** RPC patterns of seo: `seo.<aggregate>.<verb>`. */
export const SeoPatterns = {
  sourceCreate: 'seo.source.create',
  sourceGet: 'seo.source.get',
  sourceList: 'seo.source.list',
  sourceTest: 'seo.source.test',
  sourceRemove: 'seo.source.remove',
  ingestionRun: 'seo.ingestion.run',
  ingestionGet: 'seo.ingestion.get',
  ingestionList: 'seo.ingestion.list',
  keywordList: 'seo.keyword.list',
  keywordHistory: 'seo.keyword.history',
  pageList: 'seo.page.list',
} as const;

export const SEO_SOURCE_TYPES = ['gsc', 'ahrefs'] as const;
export type SeoSourceType = (typeof SEO_SOURCE_TYPES)[number];

export const INGESTION_STATES = ['queued', 'running', 'succeeded', 'failed'] as const;
export type IngestionState = (typeof INGESTION_STATES)[number];

export const KEYWORD_SORTS = ['clicks', 'impressions', 'position', 'change'] as const;
export type KeywordSort = (typeof KEYWORD_SORTS)[number];

/** Ahrefs Site Explorer's target modes. */
export const AHREFS_MODES = ['exact', 'prefix', 'domain', 'subdomains'] as const;

export class CreateSeoSourceDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Defaults to the token’s domain' })
  @IsOptional()
  @IsUUID()
  domainId?: string;

  @ApiProperty({ enum: SEO_SOURCE_TYPES })
  @IsIn(SEO_SOURCE_TYPES)
  type!: SeoSourceType;

  @ApiPropertyOptional({ maxLength: 200, description: 'Defaults to the property or target' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'gsc: `{ property: "sc-domain:example.com" | "https://example.com/", credentials: <service-account key JSON | authorized_user JSON> }`; ' +
      'ahrefs: `{ target, apiKey, mode?: exact|prefix|domain|subdomains, country?, monthlyUnitBudget? }`',
  })
  @IsObject()
  config!: Record<string, unknown>;
}

export class SeoSourceDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) domainId!: string;
  @ApiProperty({ enum: SEO_SOURCE_TYPES }) type!: SeoSourceType;
  @ApiProperty() name!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'The config without its secrets: property (gsc); target, mode, country, monthlyUnitBudget (ahrefs)',
  })
  settings!: Record<string, unknown>;
  @ApiProperty({ nullable: true, type: String, description: 'The oldest day stored completely' })
  historyFrom!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Days up to this one are stored as final' })
  finalThrough!: string | null;
  @ApiProperty({
    description: 'Its domain is suspended (or its org deleted): no runs until resumed; data kept',
  })
  paused!: boolean;
  @ApiPropertyOptional({ description: 'Ahrefs: API units spent this calendar month (UTC)' })
  unitsSpentThisMonth?: number;
  @ApiProperty() createdBy!: string;
  @ApiProperty() createdAt!: string;
}

export class SeoSourceTestDto {
  @ApiProperty() ok!: boolean;
  @ApiProperty() detail!: string;
}

export class SeoIdDto {
  @IsString()
  @MaxLength(100)
  id!: string;
}

export class ListSeoSourcesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  domainId?: string;
}

export class RunIngestionDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  sourceId!: string;
}

export class RejectedRowDto {
  @ApiProperty() reason!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) row!: Record<string, unknown>;
}

export class IngestionDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) sourceId!: string;
  @ApiProperty({ format: 'uuid' }) domainId!: string;
  @ApiProperty({ enum: SEO_SOURCE_TYPES }) sourceType!: SeoSourceType;
  @ApiProperty({ enum: ['manual', 'schedule'] }) trigger!: 'manual' | 'schedule';
  @ApiProperty({ enum: INGESTION_STATES }) state!: IngestionState;
  @ApiProperty({ nullable: true, type: String }) windowStart!: string | null;
  @ApiProperty({ nullable: true, type: String }) windowEnd!: string | null;
  @ApiProperty() rowsRead!: number;
  @ApiProperty() rowsStored!: number;
  @ApiProperty() rowsRejected!: number;
  @ApiProperty({ type: [RejectedRowDto], description: 'Up to 10 rejected rows, with the reason' })
  rejectSample!: RejectedRowDto[];
  @ApiProperty({ description: 'Ahrefs API units spent (0 for GSC)' }) unitsSpent!: number;
  @ApiProperty({ description: 'API pages fetched' }) pages!: number;
  @ApiPropertyOptional() error?: string;
  @ApiPropertyOptional({ description: 'failed: auth | quota | budget | provider | invalid' })
  errorCode?: string;
  @ApiPropertyOptional({ nullable: true, type: String }) createdBy?: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ nullable: true, type: String }) startedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) finishedAt!: string | null;
}

export class ListIngestionsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  domainId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  sourceId?: string;
}

export class KeywordDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) domainId!: string;
  @ApiProperty({ description: 'Normalised: lower case, trimmed, whitespace folded, NFC' }) query!: string;
  @ApiProperty({ description: 'Last 7 days of data' }) clicks!: number;
  @ApiProperty() impressions!: number;
  @ApiProperty() ctr!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'Impression-weighted average' })
  position!: number | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Average position of the 7 days before minus this one: positive is better',
  })
  positionChange!: number | null;
  @ApiProperty({ nullable: true, type: String, description: 'The page with the most impressions' })
  url!: string | null;
  @ApiProperty({ nullable: true, type: String }) lastDate!: string | null;
}

export class ListKeywordsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  domainId?: string;

  @ApiPropertyOptional({ description: 'Part of the query text' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ enum: KEYWORD_SORTS, default: 'clicks' })
  @IsOptional()
  @IsIn(KEYWORD_SORTS)
  sort?: KeywordSort;
}

export class KeywordPointDto {
  @ApiProperty() date!: string;
  @ApiProperty() clicks!: number;
  @ApiProperty() impressions!: number;
  @ApiProperty() ctr!: number;
  @ApiProperty() position!: number;
  @ApiProperty({ description: 'The page that ranked (most impressions that day)' }) url!: string;
  @ApiProperty({ enum: ['final', 'fresh'] }) dataState!: 'final' | 'fresh';
  @ApiProperty({ enum: SEO_SOURCE_TYPES }) source!: SeoSourceType;
}

export class KeywordHistoryDto {
  @ApiProperty({ type: KeywordDto }) keyword!: KeywordDto;
  @ApiProperty({ type: [KeywordPointDto] }) points!: KeywordPointDto[];
}

/** The days of a keyword's history (the gateway's query string). */
export class KeywordHistoryRangeDto {
  @ApiPropertyOptional({ description: 'YYYY-MM-DD; default 16 months before `to`' })
  @IsOptional()
  @IsDateString({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'YYYY-MM-DD; default today' })
  @IsOptional()
  @IsDateString({ strict: true })
  to?: string;
}

export class KeywordHistoryQueryDto extends KeywordHistoryRangeDto {
  @IsString()
  @MaxLength(100)
  id!: string;
}

export class ListSeoPagesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  domainId?: string;

  @ApiPropertyOptional({ description: 'Days back from the latest day of data (default 28)' })
  @IsOptional()
  @Type(() => Number)
  @IsIn([7, 28, 90])
  days?: number;
}

export class SeoPageDto {
  @ApiProperty() url!: string;
  @ApiProperty() clicks!: number;
  @ApiProperty() impressions!: number;
  @ApiProperty({ description: 'Distinct keywords it was shown for' }) keywords!: number;
}
