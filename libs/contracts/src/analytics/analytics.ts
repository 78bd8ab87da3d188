import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsISO8601, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';

import { Events } from '../events';

/** RPC patterns of analytics: `analytics.<aggregate>.<verb>`. */
export const AnalyticsPatterns = {
  usage: 'analytics.usage.get',
  contentReport: 'analytics.report.content',
  portfolioReport: 'analytics.report.portfolio',
  metrics: 'analytics.metrics.list',
} as const;

export interface MetricDefinition {
  unit: string;
  /** Where the numbers come from (an event type, or a meter of the platform's own). */
  source: string;
  /** What the dimension of a row means, when the metric has one. */
  dimension?: string;
  description: string;
}

/**
 * The usage metrics: the basis of billing, public by name (API.md fixes the
 * first ones; more may be added, none renamed). Each is a sum of whole
 * numbers over UTC buckets; every event is counted once.
 */
export const METRICS = {
  'content.created': {
    unit: 'items',
    source: 'content.item.created',
    description: 'Content items created (drafts included).',
  },
  'content.updated': {
    unit: 'saves',
    source: 'content.item.updated',
    description: 'Saves of an item (each new version).',
  },
  'content.published': {
    unit: 'items',
    source: 'content.item.published',
    description: 'Items that moved to published.',
  },
  'publishing.attempts': {
    unit: 'destination calls',
    source: 'publishing.job.completed / failed / retry-scheduled (each target of the run)',
    dimension: 'destination type: wordpress, linkedin, email',
    description: 'Each try to deliver a job to one destination, retries included.',
  },
  'publishing.successes': {
    unit: 'destination calls',
    source: 'as publishing.attempts, the targets that succeeded',
    dimension: 'destination type',
    description: 'Tries that reached their destination.',
  },
  'publishing.failures': {
    unit: 'destination calls',
    source: 'as publishing.attempts, the targets that did not succeed',
    dimension: 'destination type',
    description: 'Tries that did not (failed, to be retried, or unconfirmed).',
  },
  'media.bytes_uploaded': {
    unit: 'bytes',
    source: 'media.asset.ready (its verified size)',
    description: 'Bytes of files accepted into the library.',
  },
  'media.uploads': {
    unit: 'files',
    source: 'media.asset.ready',
    description: 'Files accepted into the library.',
  },
  'media.bytes_deleted': {
    unit: 'bytes',
    source: 'media.asset.deleted (its size)',
    description: 'Bytes of files deleted from the library.',
  },
  'notifications.sent': {
    unit: 'messages',
    source: 'notifications.delivery.dispatched (a digest email counts once)',
    dimension: 'channel: email, sms, push',
    description: 'Messages handed to a provider.',
  },
  'api.requests': {
    unit: 'requests',
    source: 'the gateway (counted in memory, flushed every ANALYTICS_METER_FLUSH_MS)',
    dimension: 'route class: <area>.read or <area>.write, e.g. content.write',
    description: 'Authenticated API requests, per route class.',
  },
} as const satisfies Record<string, MetricDefinition>;

export type MetricName = keyof typeof METRICS;
export const METRIC_NAMES = Object.keys(METRICS) as MetricName[];

export const GRANULARITIES = ['hour', 'day', 'month'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

/** A report has at most this many buckets (per metric). */
export const MAX_REPORT_POINTS = 10_000;
/** Metrics asked for at once. */
export const MAX_REPORT_METRICS = 5;

/** The gateway's usage meter: counts per org, domain and route class since its last flush. */
export const API_USAGE_METERED = Events.gateway.usageMetered;
export interface ApiUsageMeteredPayload {
  /** The flush's window start and end (ISO). */
  from: string;
  to: string;
  counts: { routeClass: string; requests: number }[];
}

const csv = ({ value }: { value: unknown }) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean)
    : value;

export class ReportRangeDto {
  @ApiPropertyOptional({ format: 'uuid', description: "One domain; none: the org's whole portfolio" })
  @IsOptional()
  @IsUUID()
  domainId?: string;

  @ApiProperty({ format: 'date-time', description: 'Start (rounded down to its UTC bucket)' })
  @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 date-time' })
  from!: string;

  @ApiProperty({ format: 'date-time', description: 'End (exclusive)' })
  @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 date-time' })
  to!: string;
}

export class UsageQueryDto extends ReportRangeDto {
  @ApiProperty({
    type: String,
    example: 'content.created,content.published',
    description: `One metric, or up to ${MAX_REPORT_METRICS} comma-separated: ${METRIC_NAMES.join(', ')}`,
  })
  @Transform(csv)
  @IsIn(METRIC_NAMES, { each: true, message: `metric must be one of ${METRIC_NAMES.join(', ')}` })
  metric!: MetricName[];

  @ApiProperty({ enum: GRANULARITIES })
  @IsIn(GRANULARITIES, { message: 'granularity must be hour, day or month' })
  granularity!: Granularity;

  @ApiPropertyOptional({
    example: 'America/New_York',
    description:
      "Days and months cut at this IANA zone's local midnight (summed from hourly figures: within 90 days); default UTC",
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  tz?: string;
}

export class ContentReportQueryDto extends ReportRangeDto {
  @ApiPropertyOptional({ enum: ['day', 'month'], default: 'day' })
  @IsOptional()
  @IsIn(['day', 'month'], { message: 'granularity must be day or month' })
  granularity?: 'day' | 'month';

  @ApiPropertyOptional({
    example: 'America/New_York',
    description:
      "Days and months cut at this IANA zone's local midnight (summed from hourly figures: within 90 days); default UTC",
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  tz?: string;
}

export class PortfolioQueryDto extends ReportRangeDto {}

export class UsagePointDto {
  @ApiProperty({ format: 'date-time', description: 'The UTC bucket start' }) bucket!: string;
  @ApiProperty() value!: number;
}

export class UsageSeriesDto {
  @ApiProperty({ enum: METRIC_NAMES }) metric!: MetricName;
  @ApiProperty({ type: [UsagePointDto] }) points!: UsagePointDto[];
  @ApiProperty({ description: 'The sum of the points' }) total!: number;
}

export class UsageReportDto {
  @ApiProperty({ enum: METRIC_NAMES, description: 'The first (or only) metric asked for' })
  metric!: MetricName;
  @ApiProperty({ enum: GRANULARITIES }) granularity!: Granularity;
  @ApiProperty({ format: 'date-time' }) from!: string;
  @ApiProperty({ format: 'date-time' }) to!: string;
  @ApiProperty({
    type: [UsagePointDto],
    description: "The first metric's points, every bucket (zeros included)",
  })
  points!: UsagePointDto[];
  @ApiProperty({ type: [UsageSeriesDto], description: 'Every metric asked for, in the order asked' })
  series!: UsageSeriesDto[];
}

export class DestinationFiguresDto {
  @ApiProperty() attempts!: number;
  @ApiProperty() successes!: number;
  @ApiProperty() failures!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'successes / attempts; null with no attempt' })
  successRate!: number | null;
}

export class ContentReportRowDto extends DestinationFiguresDto {
  @ApiProperty({ format: 'date-time' }) period!: string;
  @ApiProperty({ format: 'uuid' }) domainId!: string;
  @ApiProperty() created!: number;
  @ApiProperty() published!: number;
  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/DestinationFiguresDto' },
    description: 'Per destination type (wordpress, linkedin, email)',
  })
  byDestination!: Record<string, DestinationFiguresDto>;
}

export class ContentReportDto {
  @ApiProperty({ format: 'date-time' }) from!: string;
  @ApiProperty({ format: 'date-time' }) to!: string;
  @ApiProperty({ enum: ['day', 'month'] }) granularity!: 'day' | 'month';
  @ApiProperty({ type: [ContentReportRowDto] }) rows!: ContentReportRowDto[];
}

export class PortfolioRowDto {
  @ApiProperty({
    type: String,
    nullable: true,
    format: 'uuid',
    description: 'null: usage of the org not tied to a domain (API requests)',
  })
  domainId!: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    description: "Each metric's total for the period",
  })
  metrics!: Record<MetricName, number>;
}

export class PortfolioReportDto {
  @ApiProperty({ format: 'date-time' }) from!: string;
  @ApiProperty({ format: 'date-time' }) to!: string;
  @ApiProperty({ type: [PortfolioRowDto] }) domains!: PortfolioRowDto[];
}

export class MetricDefinitionDto {
  @ApiProperty() unit!: string;
  @ApiProperty() source!: string;
  @ApiPropertyOptional() dimension?: string;
  @ApiProperty() description!: string;
}

export type ContentReportRow = ContentReportRowDto;
export type DestinationFigures = DestinationFiguresDto;
export type PortfolioRow = PortfolioRowDto;
export type UsagePoint = UsagePointDto;
export type UsageSeries = UsageSeriesDto;
