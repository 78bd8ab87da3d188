import { Transform } from 'class-transformer';
import { IsIn, IsISO8601, IsOptional, IsUUID } from 'class-validator';

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
    source: 'notifications (not emitted yet: reads zero)',
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
  @IsOptional()
  @IsUUID()
  domainId?: string;

  @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 date-time' })
  from!: string;

  @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 date-time' })
  to!: string;
}

export class UsageQueryDto extends ReportRangeDto {
  /** One metric, or up to five comma-separated. */
  @Transform(csv)
  @IsIn(METRIC_NAMES, { each: true, message: `metric must be one of ${METRIC_NAMES.join(', ')}` })
  metric!: MetricName[];

  @IsIn(GRANULARITIES, { message: 'granularity must be hour, day or month' })
  granularity!: Granularity;
}

export class ContentReportQueryDto extends ReportRangeDto {
  @IsOptional()
  @IsIn(['day', 'month'], { message: 'granularity must be day or month' })
  granularity?: 'day' | 'month';
}

export class PortfolioQueryDto extends ReportRangeDto {}

export interface UsagePoint {
  bucket: string;
  value: number;
}

export interface UsageSeries {
  metric: MetricName;
  points: UsagePoint[];
  total: number;
}

export interface UsageReportDto {
  /** The first (or only) metric asked for, and its points. */
  metric: MetricName;
  granularity: Granularity;
  from: string;
  to: string;
  points: UsagePoint[];
  /** Every metric asked for, in the order asked. */
  series: UsageSeries[];
}

export interface DestinationFigures {
  attempts: number;
  successes: number;
  failures: number;
  /** successes / attempts, or null with no attempt. */
  successRate: number | null;
}

export interface ContentReportRow extends DestinationFigures {
  period: string;
  domainId: string;
  created: number;
  published: number;
  byDestination: Record<string, DestinationFigures>;
}

export interface ContentReportDto {
  from: string;
  to: string;
  granularity: 'day' | 'month';
  rows: ContentReportRow[];
}

export interface PortfolioRow {
  /** null: usage of the org not tied to a domain (API requests made without one). */
  domainId: string | null;
  metrics: Record<MetricName, number>;
}

export interface PortfolioReportDto {
  from: string;
  to: string;
  domains: PortfolioRow[];
}
