/**
 * Quiet hours: a daily window in the recipient's IANA time zone, e.g. 22:00
 * to 07:00 (it may cross midnight). Times are wall-clock times there, so the
 * window follows daylight saving: 07:00 in Berlin is 05:00 UTC in summer and
 * 06:00 UTC in winter — whatever the zone's rules say on that day (`Intl`, the
 * ICU data that ships with Node).
 */
export interface QuietWindow {
  timeZone: string;
  /** Minutes after local midnight. */
  startMinute: number;
  endMinute: number;
}

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return name.length > 0;
  } catch {
    return false;
  }
}

export function toMinute(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

export function toHhMm(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock parts of `at` in `timeZone`. */
function localParts(at: Date, timeZone: string): { y: number; mo: number; d: number; minute: number } {
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
function instantOf(timeZone: string, y: number, mo: number, d: number, minute: number): Date {
  // Start from the time as if it were UTC, correct by the zone's offset, twice (offsets change at most once nearby).
  let guess = Date.UTC(y, mo - 1, d, Math.floor(minute / 60), minute % 60);
  for (let i = 0; i < 3; i++) {
    const local = localParts(new Date(guess), timeZone);
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

function inWindow(minute: number, window: QuietWindow): boolean {
  const { startMinute: start, endMinute: end } = window;
  if (start === end) return false;
  return start < end ? minute >= start && minute < end : minute >= start || minute < end;
}

/**
 * When a message held by quiet hours may go: `null` when `at` is outside the
 * window (send now), else the instant the window ends, local time.
 */
export function quietUntil(window: QuietWindow | null, at: Date = new Date()): Date | null {
  if (!window) return null;
  const local = localParts(at, window.timeZone);
  if (!inWindow(local.minute, window)) return null;
  // The end is today (local) unless the window crossed midnight and we are before it.
  let { y, mo, d } = local;
  if (window.startMinute > window.endMinute && local.minute >= window.startMinute) {
    const tomorrow = new Date(Date.UTC(y, mo - 1, d) + 86_400_000);
    y = tomorrow.getUTCFullYear();
    mo = tomorrow.getUTCMonth() + 1;
    d = tomorrow.getUTCDate();
  }
  const end = instantOf(window.timeZone, y, mo, d, window.endMinute);
  return end > at ? end : new Date(at.getTime() + 60_000);
}

/** The next instant after `after` when the local clock in `timeZone` shows `minute` (DST-correct). */
export function nextLocalTime(timeZone: string, minute: number, after: Date): Date {
  const local = localParts(after, timeZone);
  for (let dayOffset = 0; dayOffset < 3; dayOffset++) {
    const day = new Date(Date.UTC(local.y, local.mo - 1, local.d) + dayOffset * 86_400_000);
    const at = instantOf(timeZone, day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), minute);
    if (at > after) return at;
  }
  return new Date(after.getTime() + 86_400_000);
}
