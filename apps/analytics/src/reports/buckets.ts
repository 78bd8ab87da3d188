import { type Granularity, wallClock, zonedInstant } from '@smartbeak/contracts';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * The start of the bucket holding `at`: UTC, or — for days and months with
 * a time zone — that zone's local midnight (DST-correct). Hours are the
 * same everywhere (zones with half-hour offsets see them shifted).
 */
export function truncate(at: Date, unit: Granularity, tz?: string): Date {
  if (tz && unit !== 'hour') {
    const local = wallClock(at, tz);
    return zonedInstant(tz, local.y, local.mo, unit === 'month' ? 1 : local.d, 0);
  }
  if (unit === 'hour') return new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS);
  if (unit === 'day') return new Date(Math.floor(at.getTime() / DAY_MS) * DAY_MS);
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
}

/** The start of the bucket after the one starting at `bucket`. */
export function next(bucket: Date, unit: Granularity, tz?: string): Date {
  if (tz && unit !== 'hour') {
    const local = wallClock(bucket, tz);
    const day =
      unit === 'day' ? Date.UTC(local.y, local.mo - 1, local.d + 1) : Date.UTC(local.y, local.mo, 1);
    const date = new Date(day);
    return zonedInstant(tz, date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), 0);
  }
  if (unit === 'hour') return new Date(bucket.getTime() + HOUR_MS);
  if (unit === 'day') return new Date(bucket.getTime() + DAY_MS);
  return new Date(Date.UTC(bucket.getUTCFullYear(), bucket.getUTCMonth() + 1, 1));
}

/** How many buckets start in [truncate(from), to), without listing them (UTC; a zone moves it by one at most). */
export function countBuckets(from: Date, to: Date, unit: Granularity): number {
  const start = truncate(from, unit);
  if (unit === 'month') {
    const months =
      (to.getUTCFullYear() - start.getUTCFullYear()) * 12 + (to.getUTCMonth() - start.getUTCMonth());
    return months + (truncate(to, 'month').getTime() < to.getTime() ? 1 : 0);
  }
  const width = unit === 'hour' ? HOUR_MS : DAY_MS;
  return Math.ceil((to.getTime() - start.getTime()) / width);
}

/** Every bucket start in [truncate(from), to). */
export function bucketsOf(from: Date, to: Date, unit: Granularity, tz?: string): Date[] {
  const out: Date[] = [];
  for (let bucket = truncate(from, unit, tz); bucket < to; bucket = next(bucket, unit, tz)) out.push(bucket);
  return out;
}
