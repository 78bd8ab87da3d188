import { bucketsOf, countBuckets, truncate } from './buckets';

describe('report buckets', () => {
  it('counts UTC buckets without listing them, and lists the same number', () => {
    const from = new Date('2026-01-15T10:30:00Z');
    const to = new Date('2026-03-15T00:00:00Z');
    for (const unit of ['hour', 'day', 'month'] as const) {
      expect(bucketsOf(from, to, unit)).toHaveLength(countBuckets(from, to, unit));
    }
    expect(countBuckets(from, to, 'month')).toBe(3);
    expect(truncate(from, 'day').toISOString()).toBe('2026-01-15T00:00:00.000Z');
  });

  it("cuts days and months at the zone's local midnight, through daylight saving", () => {
    // New York springs forward on 8 March 2026: that day is 23 hours long.
    const days = bucketsOf(
      new Date('2026-03-07T12:00:00Z'),
      new Date('2026-03-10T12:00:00Z'),
      'day',
      'America/New_York',
    );
    expect(days.map((d) => d.toISOString())).toEqual([
      '2026-03-07T05:00:00.000Z',
      '2026-03-08T05:00:00.000Z',
      '2026-03-09T04:00:00.000Z',
      '2026-03-10T04:00:00.000Z',
    ]);
    // 1 a.m. UTC on 1 April is still 31 March in New York.
    expect(truncate(new Date('2026-04-01T01:00:00Z'), 'month', 'America/New_York').toISOString()).toBe(
      '2026-03-01T05:00:00.000Z',
    );
    expect(truncate(new Date('2026-07-01T23:30:00Z'), 'day', 'Asia/Tokyo').toISOString()).toBe(
      '2026-07-01T15:00:00.000Z',
    );
  });
});
