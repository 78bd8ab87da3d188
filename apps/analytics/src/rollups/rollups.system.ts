import { Injectable } from '@nestjs/common';
import { Database, type SystemScope } from '@smartbeak/persistence';

/** A rollup tier: what it reads, what it writes, the bucket width and the tier it marks next. */
interface Step {
  tier: 'hour' | 'day' | 'month';
  source: string;
  sourceTime: string;
  target: string;
  /** The unit of date_trunc for this tier's buckets. */
  unit: 'hour' | 'day' | 'month';
  /** Buckets of one group are rolled together: one scan of the source per group. */
  groupBy: 'day' | 'month' | 'year';
  next?: 'day' | 'month';
}

const STEPS: Step[] = [
  {
    tier: 'hour',
    source: 'events_raw',
    sourceTime: 'occurred_at',
    target: 'usage_hourly',
    unit: 'hour',
    groupBy: 'day',
    next: 'day',
  },
  {
    tier: 'day',
    source: 'usage_hourly',
    sourceTime: 'bucket',
    target: 'usage_daily',
    unit: 'day',
    groupBy: 'month',
    next: 'month',
  },
  {
    tier: 'month',
    source: 'usage_daily',
    sourceTime: 'bucket',
    target: 'usage_monthly',
    unit: 'month',
    groupBy: 'year',
  },
];

export interface RollupResult {
  hour: number;
  day: number;
  month: number;
  /** Orgs whose figures changed (their cached reports are stale). */
  orgs: string[];
}

interface DirtyRow {
  bucket: Date;
  generation: string;
  group: Date;
}

/**
 * The rollups (docs/analytics.md § Rollups), across orgs on purpose: hourly
 * from raw, daily from hourly, monthly from daily, each for the buckets
 * marked dirty. A bucket is recomputed whole from its source and upserted,
 * so a second run of any bucket writes the same numbers; a late event marks
 * its hour again and the next run folds it in.
 */
@Injectable()
export class RollupsSystem {
  constructor(private readonly db: Database) {}

  /**
   * Rolls every dirty bucket up, tier after tier. Hours are rolled once they
   * are over (`now`'s hour is read live by reports); days and months as
   * soon as an hour of theirs changes.
   */
  async run(scope: SystemScope, now = new Date()): Promise<RollupResult> {
    const result: RollupResult = { hour: 0, day: 0, month: 0, orgs: [] };
    const orgs = new Set<string>();
    const currentHour = new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000);
    for (const step of STEPS) {
      const dirty = await this.db.rows<DirtyRow>(
        `SELECT bucket, generation, date_trunc('${step.groupBy}', bucket, 'UTC') AS "group"
           FROM rollup_dirty WHERE tier = $1 AND ($2::timestamptz IS NULL OR bucket < $2)
          ORDER BY bucket`,
        [step.tier, step.tier === 'hour' ? currentHour : null],
      );
      const groups = new Map<number, DirtyRow[]>();
      for (const row of dirty) {
        const key = row.group.getTime();
        groups.set(key, [...(groups.get(key) ?? []), row]);
      }
      for (const rows of groups.values()) {
        for (const org of await this.rollGroup(scope, step, rows)) orgs.add(org);
      }
      result[step.tier] = dirty.length;
    }
    result.orgs = [...orgs];
    return result;
  }

  /** One group's buckets: upsert them, mark the next tier, clear the marks nothing moved since. */
  private rollGroup(_scope: SystemScope, step: Step, rows: DirtyRow[]): Promise<string[]> {
    const buckets = rows.map((row) => row.bucket);
    const first = buckets[0]!;
    const last = buckets[buckets.length - 1]!;
    return this.db.transaction(async (tx) => {
      const changed = await tx.rows<{ orgId: string }>(
        `INSERT INTO ${step.target} AS t (org_id, domain_id, metric, dimension, bucket, value)
         SELECT org_id, domain_id, metric, dimension, date_trunc('${step.unit}', ${step.sourceTime}, 'UTC') AS b, sum(value)
           FROM ${step.source}
          WHERE ${step.sourceTime} >= $1 AND ${step.sourceTime} < $2::timestamptz + interval '1 ${step.unit}'
            AND date_trunc('${step.unit}', ${step.sourceTime}, 'UTC') = ANY($3::timestamptz[])
          GROUP BY org_id, domain_id, metric, dimension, b
         ON CONFLICT ON CONSTRAINT ${step.target}_key
           DO UPDATE SET value = EXCLUDED.value, updated_at = now() WHERE t.value <> EXCLUDED.value
         RETURNING org_id AS "orgId"`,
        [first, last, buckets],
      );
      if (step.next) {
        await tx.run(
          `INSERT INTO rollup_dirty (tier, bucket)
           SELECT DISTINCT '${step.next}', date_trunc('${step.next}', b, 'UTC') FROM unnest($1::timestamptz[]) AS b
           ON CONFLICT (tier, bucket) DO UPDATE SET generation = nextval('rollup_generation')`,
          [buckets],
        );
      }
      // A mark whose generation moved meanwhile (an event committed after this read) stays for the next run.
      await tx.run(
        `DELETE FROM rollup_dirty d USING unnest($2::timestamptz[], $3::bigint[]) AS r(bucket, generation)
          WHERE d.tier = $1 AND d.bucket = r.bucket AND d.generation = r.generation`,
        [step.tier, buckets, rows.map((row) => row.generation)],
      );
      return [...new Set(changed.map((row) => row.orgId))];
    });
  }

  /** The oldest bucket of `tier` still waiting for its rollup, if any. */
  async oldestDirty(_scope: SystemScope, tier: Step['tier']): Promise<Date | undefined> {
    const row = await this.db.one<{ bucket: Date | null }>(
      `SELECT min(bucket) AS bucket FROM rollup_dirty WHERE tier = $1`,
      [tier],
    );
    return row?.bucket ?? undefined;
  }
}
