import { Injectable } from '@nestjs/common';
import { Database, type SystemScope } from '@smartbeak/persistence';

import { RETENTION } from '../config/analytics.config';
import { RawEventsSystem, utcDay } from '../ingest/raw-events.system';
import { RollupsSystem } from './rollups.system';

const DAY_MS = 86_400_000;
/** Rows deleted per statement: retention never holds a long lock on a tier. */
const DELETE_CHUNK = 50_000;

export interface RetentionResult {
  partitionsMade: number;
  partitionsDropped: string[];
  hourlyDeleted: number;
  dailyDeleted: number;
}

function earliest(...dates: (Date | undefined)[]): Date {
  return new Date(Math.min(...dates.filter((d): d is Date => d !== undefined).map((d) => d.getTime())));
}

/**
 * Partitions ahead and the seed's retention: raw 30 days (whole day
 * partitions dropped), hourly 90 days, daily a year, monthly for ever —
 * never past a bucket whose rollup to the next tier is still to come.
 */
@Injectable()
export class RetentionSystem {
  constructor(
    private readonly db: Database,
    private readonly raw: RawEventsSystem,
    private readonly rollups: RollupsSystem,
  ) {}

  async run(scope: SystemScope, aheadDays: number, now = new Date()): Promise<RetentionResult> {
    const today = utcDay(now).getTime();
    const ahead = Array.from({ length: aheadDays + 2 }, (_, i) => today + (i - 1) * DAY_MS);
    const existing = new Set((await this.raw.partitions(scope)).map((p) => p.day.getTime()));
    await this.raw.ensurePartitions(scope, ahead);

    // A day's partition goes once it is past retention and none of its hours waits for the hourly rollup.
    const rawCutoff = earliest(
      new Date(now.getTime() - RETENTION.rawDays * DAY_MS),
      await this.rollups.oldestDirty(scope, 'hour'),
    );
    const dropped: string[] = [];
    for (const partition of await this.raw.partitions(scope)) {
      if (partition.day.getTime() + DAY_MS > rawCutoff.getTime()) continue;
      await this.raw.dropPartition(scope, partition.name);
      dropped.push(partition.name);
    }

    const hourlyDeleted = await this.deleteBefore(
      'usage_hourly',
      earliest(
        new Date(now.getTime() - RETENTION.hourlyDays * DAY_MS),
        await this.rollups.oldestDirty(scope, 'day'),
      ),
    );
    const dailyDeleted = await this.deleteBefore(
      'usage_daily',
      earliest(
        new Date(now.getTime() - RETENTION.dailyDays * DAY_MS),
        await this.rollups.oldestDirty(scope, 'month'),
      ),
    );
    return {
      partitionsMade: ahead.filter((day) => !existing.has(day)).length,
      partitionsDropped: dropped,
      hourlyDeleted,
      dailyDeleted,
    };
  }

  private async deleteBefore(table: 'usage_hourly' | 'usage_daily', cutoff: Date): Promise<number> {
    // Whole buckets only: the cutoff is rounded down to the next tier's bucket start.
    const unit = table === 'usage_hourly' ? 'day' : 'month';
    let total = 0;
    for (;;) {
      const deleted = await this.db.run(
        `DELETE FROM ${table} WHERE ctid = ANY(ARRAY(
           SELECT ctid FROM ${table} WHERE bucket < date_trunc('${unit}', $1::timestamptz, 'UTC') LIMIT ${DELETE_CHUNK}))`,
        [cutoff],
      );
      total += deleted;
      if (deleted < DELETE_CHUNK) return total;
    }
  }
}
