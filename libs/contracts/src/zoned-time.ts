/**
 * Wall-clock time in an IANA time zone, DST-correct, from the ICU data that
 * ships with Node (`Intl`): notifications' quiet hours and digests,
 * analytics' local days and months.
 */

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return name.length > 0;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock parts of `at` in `timeZone`. */
export function wallClock(at: Date, timeZone: string): { y: number; mo: number; d: number; minute: number } {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    formatters.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, p.value]));
  return {
    y: Number(parts['year']),
    mo: Number(parts['month']),
    d: Number(parts['day']),
    minute: Number(parts['hour']) * 60 + Number(parts['minute']),
  };
}

/**
 * The instant a local wall-clock time happens in `timeZone` on a local date.
 * A time that does not exist that day (skipped by a spring-forward) is the
 * first instant after the gap.
 */
export function zonedInstant(timeZone: string, y: number, mo: number, d: number, minute: number): Date {
  // Start from the time as if it were UTC, correct by the zone's offset, twice (offsets change at most once nearby).
  let guess = Date.UTC(y, mo - 1, d, Math.floor(minute / 60), minute % 60);
  for (let i = 0; i < 3; i++) {
    const local = wallClock(new Date(guess), timeZone);
    const localAsUtc = Date.UTC(
      local.y,
      local.mo - 1,
      local.d,
      Math.floor(local.minute / 60),
      local.minute % 60,
    );
    const wanted = Date.UTC(y, mo - 1, d, Math.floor(minute / 60), minute % 60);
    const diff = wanted - localAsUtc;
    if (diff === 0) return new Date(guess);
    guess += diff;
  }
  return new Date(guess);
}
