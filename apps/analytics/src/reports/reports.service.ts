import { Injectable } from '@nestjs/common';
import { DomainAccess, requirePermissions } from '@smartbeak/auth';
import {
  type ContentReportDto,
  type ContentReportQueryDto,
  type ContentReportRow,
  type DestinationFigures,
  type Granularity,
  isTimeZone,
  MAX_REPORT_METRICS,
  MAX_REPORT_POINTS,
  METRIC_NAMES,
  type MetricName,
  type PortfolioQueryDto,
  type PortfolioReportDto,
  type RequestContext,
  type UsageQueryDto,
  type UsageReportDto,
} from '@smartbeak/contracts';
import { DomainError } from '@smartbeak/errors';
import { scopeOf, type TenantScope } from '@smartbeak/persistence';

import { RETENTION } from '../config/analytics.config';
import { bucketsOf, countBuckets, truncate } from './buckets';
import { ReportCache } from './report-cache';
import { type SumQuery, type SumRow, ReportsRepository } from './reports.repository';

const DAY_MS = 86_400_000;

/** How far back each tier reaches (retention, and a day's grace for bucket edges). */
const REACH_DAYS: Record<Granularity, number | null> = {
  hour: RETENTION.hourlyDays,
  day: RETENTION.dailyDays,
  month: null,
};

const CONTENT_METRICS: MetricName[] = [
  'content.created',
  'content.published',
  'publishing.attempts',
  'publishing.successes',
  'publishing.failures',
];

interface Range {
  from: Date;
  to: Date;
}

const iso = (at: Date | number) => new Date(at).toISOString();

function figures(attempts: number, successes: number, failures: number): DestinationFigures {
  return { attempts, successes, failures, successRate: attempts ? successes / attempts : null };
}

/**
 * Reports (docs/analytics.md § Reports): the pre-aggregated tier that fits
 * the granularity (cached per org until a rollup changes it), plus the
 * hour under way read live from raw. Buckets are UTC.
 */
@Injectable()
export class ReportsService {
  constructor(
    private readonly reports: ReportsRepository,
    private readonly cache: ReportCache,
    private readonly domains: DomainAccess,
  ) {}

  async usage(ctx: RequestContext, query: UsageQueryDto): Promise<UsageReportDto> {
    requirePermissions(ctx, 'analytics:read');
    const metrics = [...new Set(query.metric)];
    if (!metrics.length || metrics.length > MAX_REPORT_METRICS) {
      throw DomainError.validation([
        { field: 'metric', message: `ask for 1 to ${MAX_REPORT_METRICS} metrics (comma-separated)` },
      ]);
    }
    const zone = this.zone(query.tz, query.granularity);
    const range = this.range(query, query.granularity, zone?.tz);
    const domainId = await this.domainFilter(ctx, query.domainId);
    const rows = await this.read(scopeOf(ctx), query.granularity, {
      zone,
      metrics,
      ...range,
      domainId,
      by: ['bucket'],
    });
    // One pass over the rows; each bucket's ISO string made once for every series.
    const buckets = bucketsOf(range.from, range.to, query.granularity, zone?.tz);
    const labels = buckets.map((bucket) => bucket.toISOString());
    const values = new Map(metrics.map((metric) => [metric, new Map<number, number>()]));
    for (const row of rows) {
      const perBucket = values.get(row.metric);
      if (perBucket) perBucket.set(row.bucket!, (perBucket.get(row.bucket!) ?? 0) + row.value);
    }
    const series = metrics.map((metric) => {
      const perBucket = values.get(metric)!;
      let total = 0;
      const points = buckets.map((bucket, i) => {
        const value = perBucket.get(bucket.getTime()) ?? 0;
        total += value;
        return { bucket: labels[i]!, value };
      });
      return { metric, points, total };
    });
    return {
      metric: metrics[0]!,
      granularity: query.granularity,
      from: iso(range.from),
      to: iso(range.to),
      points: series[0]!.points,
      series,
    };
  }

  async content(ctx: RequestContext, query: ContentReportQueryDto): Promise<ContentReportDto> {
    requirePermissions(ctx, 'analytics:read');
    const granularity = query.granularity ?? 'day';
    const zone = this.zone(query.tz, granularity);
    const range = this.range(query, granularity, zone?.tz);
    const domainId = await this.domainFilter(ctx, query.domainId);
    const rows = await this.read(scopeOf(ctx), granularity, {
      zone,
      metrics: CONTENT_METRICS,
      ...range,
      domainId,
      by: ['bucket', 'domainId', 'dimension'],
    });
    const byKey = new Map<string, { period: string; domainId: string; sums: SumRow[] }>();
    for (const row of rows) {
      if (!row.domainId) continue;
      const period = iso(row.bucket!);
      const key = `${period} ${row.domainId}`;
      const entry = byKey.get(key) ?? { period, domainId: row.domainId, sums: [] };
      entry.sums.push(row);
      byKey.set(key, entry);
    }
    const report = [...byKey.values()].map(({ period, domainId: domain, sums }): ContentReportRow => {
      const total = (metric: MetricName, dimension?: string) =>
        sums
          .filter((s) => s.metric === metric && (dimension === undefined || s.dimension === dimension))
          .reduce((sum, s) => sum + s.value, 0);
      const types = [
        ...new Set(sums.filter((s) => s.metric.startsWith('publishing.')).map((s) => s.dimension!)),
      ];
      return {
        period,
        domainId: domain,
        created: total('content.created'),
        published: total('content.published'),
        ...figures(total('publishing.attempts'), total('publishing.successes'), total('publishing.failures')),
        byDestination: Object.fromEntries(
          types
            .sort()
            .map((type) => [
              type,
              figures(
                total('publishing.attempts', type),
                total('publishing.successes', type),
                total('publishing.failures', type),
              ),
            ]),
        ),
      };
    });
    report.sort((a, b) => a.period.localeCompare(b.period) || a.domainId.localeCompare(b.domainId));
    return { from: iso(range.from), to: iso(range.to), granularity, rows: report };
  }

  async portfolio(ctx: RequestContext, query: PortfolioQueryDto): Promise<PortfolioReportDto> {
    requirePermissions(ctx, 'analytics:read');
    // Days while the daily tier reaches back that far; months before.
    const reach = Date.now() - (RETENTION.dailyDays - 1) * DAY_MS;
    const tier: Granularity = new Date(query.from).getTime() >= reach ? 'day' : 'month';
    const range = this.range(query, tier);
    const domainId = await this.domainFilter(ctx, query.domainId);
    const rows = await this.read(scopeOf(ctx), tier, {
      metrics: METRIC_NAMES,
      ...range,
      domainId,
      by: ['domainId'],
    });
    const domains = new Map<string | null, Record<MetricName, number>>();
    for (const row of rows) {
      const key = row.domainId ?? null;
      const metrics =
        domains.get(key) ??
        (Object.fromEntries(METRIC_NAMES.map((metric) => [metric, 0])) as Record<MetricName, number>);
      metrics[row.metric] += row.value;
      domains.set(key, metrics);
    }
    return {
      from: iso(range.from),
      to: iso(range.to),
      domains: [...domains]
        .map(([domain, metrics]) => ({ domainId: domain, metrics }))
        .sort((a, b) => (a.domainId ?? '').localeCompare(b.domainId ?? '')),
    };
  }

  /**
   * The tier's sums (cached) and the hour under way (live), split the same
   * way; the live hour's rows carry the tier bucket that holds it.
   */
  private async read(scope: TenantScope, tier: Granularity, query: SumQuery): Promise<SumRow[]> {
    const stored = await this.cache.get(scope.orgId, [tier, query], () =>
      this.reports.sums(scope, tier, query),
    );
    const hour = truncate(new Date(), 'hour');
    if (hour < query.from || hour >= query.to) return stored;
    const live = await this.reports.live(scope, hour, query);
    const liveBucket = truncate(hour, tier, query.zone?.tz).getTime();
    return [
      ...stored,
      ...live.map((row) => ({ ...row, bucket: row.bucket === undefined ? undefined : liveBucket })),
    ];
  }

  /** `from` (rounded down to its bucket) and `to`, checked: in order, not too many points, within the tier's reach. */
  private range(query: { from: string; to: string }, unit: Granularity, tz?: string): Range {
    const to = new Date(query.to);
    const from = truncate(new Date(query.from), unit, tz);
    if (new Date(query.from) >= to) {
      throw DomainError.validation([{ field: 'from', message: 'from must be before to' }]);
    }
    const points = countBuckets(from, to, unit);
    if (points > MAX_REPORT_POINTS) {
      throw DomainError.validation([
        {
          field: 'to',
          message: `${points} ${unit}s is too many: at most ${MAX_REPORT_POINTS} points; choose a coarser granularity or a shorter range`,
        },
      ]);
    }
    if (tz && from.getTime() < Date.now() - (RETENTION.hourlyDays + 1) * DAY_MS) {
      throw DomainError.validation([
        {
          field: 'from',
          message: `days and months in a time zone are summed from hourly figures, kept ${RETENTION.hourlyDays} days: ask in UTC for longer ranges`,
        },
      ]);
    }
    const reach = REACH_DAYS[unit];
    if (reach !== null && from.getTime() < Date.now() - (reach + 1) * DAY_MS) {
      throw DomainError.validation([
        {
          field: 'from',
          message: `${unit === 'hour' ? 'hourly' : 'daily'} figures are kept ${reach} days: ask for a coarser granularity`,
        },
      ]);
    }
    return { from, to };
  }

  /**
   * Local days or months (`tz`, an IANA zone): summed from hourly buckets,
   * so exact for zones with whole-hour offsets. UTC, hours, or no zone: the
   * tiers as they are.
   */
  private zone(tz: string | undefined, unit: Granularity): SumQuery['zone'] {
    if (!tz || tz === 'UTC' || unit === 'hour') return undefined;
    if (!isTimeZone(tz)) {
      throw DomainError.validation([{ field: 'tz', message: `unknown time zone ${tz}` }]);
    }
    return { tz, unit };
  }

  /** The domain asked for (or the token's), checked to be the caller's org's; none: the whole portfolio. */
  private async domainFilter(ctx: RequestContext, requested?: string): Promise<string | undefined> {
    const domainId = requested ?? ctx.domainId;
    if (!domainId) return undefined;
    return (await this.domains.resolve(ctx, domainId)).id;
  }
}
