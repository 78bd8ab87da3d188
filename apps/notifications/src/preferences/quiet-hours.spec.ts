import { nextLocalTime, quietUntil } from './quiet-hours';

const berlin = { timeZone: 'Europe/Berlin', startMinute: 22 * 60, endMinute: 7 * 60 };

describe('quiet hours (wall-clock time in the recipient zone, DST-correct)', () => {
  it('outside the window: send now', () => {
    expect(quietUntil(berlin, new Date('2026-07-01T10:00:00Z'))).toBeNull();
    expect(quietUntil(null, new Date('2026-07-01T23:00:00Z'))).toBeNull();
  });

  it('inside a window that crosses midnight: held until 07:00 local, summer (UTC+2) and winter (UTC+1)', () => {
    expect(quietUntil(berlin, new Date('2026-07-01T21:30:00Z'))?.toISOString()).toBe(
      '2026-07-02T05:00:00.000Z',
    );
    expect(quietUntil(berlin, new Date('2026-07-02T03:00:00Z'))?.toISOString()).toBe(
      '2026-07-02T05:00:00.000Z',
    );
    expect(quietUntil(berlin, new Date('2026-01-10T22:30:00Z'))?.toISOString()).toBe(
      '2026-01-11T06:00:00.000Z',
    );
  });

  it('across a DST change: the night the clocks go forward (29 March 2026) ends at 07:00 CEST', () => {
    // 23:00 CET on 28 March → the window ends 07:00 local on 29 March, which is already summer time.
    expect(quietUntil(berlin, new Date('2026-03-28T22:00:00Z'))?.toISOString()).toBe(
      '2026-03-29T05:00:00.000Z',
    );
    // New York falls back on 1 November 2026: 07:00 EST is 12:00 UTC.
    const ny = { timeZone: 'America/New_York', startMinute: 22 * 60, endMinute: 7 * 60 };
    expect(quietUntil(ny, new Date('2026-11-01T04:00:00Z'))?.toISOString()).toBe('2026-11-01T12:00:00.000Z');
  });

  it('a window within one day, and an empty one', () => {
    const lunch = { timeZone: 'Asia/Tokyo', startMinute: 12 * 60, endMinute: 13 * 60 };
    expect(quietUntil(lunch, new Date('2026-05-01T03:30:00Z'))?.toISOString()).toBe(
      '2026-05-01T04:00:00.000Z',
    );
    expect(quietUntil(lunch, new Date('2026-05-01T05:00:00Z'))).toBeNull();
    expect(
      quietUntil({ ...lunch, endMinute: lunch.startMinute }, new Date('2026-05-01T03:30:00Z')),
    ).toBeNull();
  });

  it('the next 08:00 local (daily digests) follows the zone', () => {
    expect(nextLocalTime('Europe/Berlin', 8 * 60, new Date('2026-07-01T10:00:00Z')).toISOString()).toBe(
      '2026-07-02T06:00:00.000Z',
    );
    expect(nextLocalTime('UTC', 8 * 60, new Date('2026-07-01T07:00:00Z')).toISOString()).toBe(
      '2026-07-01T08:00:00.000Z',
    );
  });
});
