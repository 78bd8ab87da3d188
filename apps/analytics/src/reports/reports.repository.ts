import { type Granularity, type MetricName } from '@smartbeak/contracts';
import { Repository, type TenantScope, Where } from '@smartbeak/persistence';

const TIER_TABLE: Record<Granularity, string> = {
  hour: 'usage_hourly',
  day: 'usage_daily',
  month: 'usage_monthly',
};

/** What a sum is split by, beside the metric. */
export type SumKey = 'bucket' | 'domainId' | 'dimension';

export interface SumRow {
  metric: MetricName;
  /** The bucket's start, epoch milliseconds. */
  bucket?: number;
  domainId?: string | null;
  dimension?: string;
  value: number;
}

export interface SumQuery {
  /** Days or months in this IANA zone, summed from hourly buckets (see ReportsService). */
  zone?: { tz: string; unit: 'day' | 'month' };
  metrics: readonly MetricName[];
  from: Date;
  to: Date;
  domainId?: string;
  by: SumKey[];
}

/**
 * Reports' reads, within one org, from the pre-aggregated tiers (on the
 * read replica when ANALYTICS_READ_DATABASE_URL is set) — and the one raw
 * read: the hour under way, which no rollup has yet.
 */
export class ReportsRepository extends Repository {
  /** Sums of a tier's buckets that start in [from, to). */
  sums(scope: TenantScope, tier: Granularity, query: SumQuery): Promise<SumRow[]> {
    const where = this.where(scope, query).add('bucket >= ?', query.from).add('bucket < ?', query.to);
    if (query.zone) {
      // Local days and months: hourly buckets grouped by the zone's calendar.
      const local = `date_trunc('${query.zone.unit}', bucket, ${where.param(query.zone.tz)})`;
      return this.sum(TIER_TABLE.hour, where, query.by, local);
    }
    return this.sum(TIER_TABLE[tier], where, query.by);
  }

  /** Sums of raw rows since `since` (the current hour), split like `sums` — `bucket` is `since`. */
  async live(scope: TenantScope, since: Date, query: Omit<SumQuery, 'from' | 'to'>): Promise<SumRow[]> {
    const where = this.where(scope, query).add('occurred_at >= ?', since);
    const by = query.by.filter((key) => key !== 'bucket');
    const rows = await this.sum('events_raw', where, by);
    return query.by.includes('bucket') ? rows.map((row) => ({ ...row, bucket: since.getTime() })) : rows;
  }

  private where(scope: TenantScope, query: Pick<SumQuery, 'metrics' | 'domainId'>): Where {
    const where = new Where().add('org_id = ?', scope.orgId).add('metric = ANY(?)', query.metrics);
    if (query.domainId) where.add('domain_id = ?', query.domainId);
    return where;
  }

  /**
   * `bucket` is the expression of a row's bucket (a tier's column, or a zone's
   * calendar over it); it is read as epoch milliseconds — a number costs
   * nothing to read, where a timestamp is parsed into a Date per row.
   */
  private sum(table: string, where: Where, by: SumKey[], bucket = 'bucket'): Promise<SumRow[]> {
    const split: Record<SumKey, { column: string; group: string }> = {
      bucket: { column: `(extract(epoch FROM ${bucket}) * 1000)::float8 AS bucket`, group: bucket },
      domainId: { column: 'domain_id AS "domainId"', group: 'domain_id' },
      dimension: { column: 'dimension', group: 'dimension' },
    };
    const columns = ['metric', ...by.map((key) => split[key].column)].join(', ');
    const group = ['metric', ...by.map((key) => split[key].group)].join(', ');
    return this.sql.rows<SumRow>(
      `SELECT ${columns}, sum(value)::float8 AS value FROM ${table} WHERE ${where.sql} GROUP BY ${group}`,
      where.params,
    );
  }
}
