import { type Granularity } from '@smartbeak/contracts';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** The start of the UTC bucket holding `at`. */
export function truncate(at: Date, unit: Granularity): Date {
  if (unit === 'hour') return new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS);
  if (unit === 'day') return new Date(Math.floor(at.getTime() / DAY_MS) * DAY_MS);
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
}

/** The start of the bucket after the one starting at `bucket`. */
export function next(bucket: Date, unit: Granularity): Date {
  if (unit === 'hour') return new Date(bucket.getTime() + HOUR_MS);
  if (unit === 'day') return new Date(bucket.getTime() + DAY_MS);
  return new Date(Date.UTC(bucket.getUTCFullYear(), bucket.getUTCMonth() + 1, 1));
}

/** How many buckets start in [truncate(from), to), without listing them. */
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
export function bucketsOf(from: Date, to: Date, unit: Granularity): Date[] {
  const out: Date[] = [];
  for (let bucket = truncate(from, unit); bucket < to; bucket = next(bucket, unit)) out.push(bucket);
  return out;
}
