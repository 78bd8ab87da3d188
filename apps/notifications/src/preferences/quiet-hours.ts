import { wallClock, zonedInstant } from '@smartbeak/contracts';

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

export function toMinute(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

export function toHhMm(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
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
  const local = wallClock(at, window.timeZone);
  if (!inWindow(local.minute, window)) return null;
  // The end is today (local) unless the window crossed midnight and we are before it.
  let { y, mo, d } = local;
  if (window.startMinute > window.endMinute && local.minute >= window.startMinute) {
    const tomorrow = new Date(Date.UTC(y, mo - 1, d) + 86_400_000);
    y = tomorrow.getUTCFullYear();
    mo = tomorrow.getUTCMonth() + 1;
    d = tomorrow.getUTCDate();
  }
  const end = zonedInstant(window.timeZone, y, mo, d, window.endMinute);
  return end > at ? end : new Date(at.getTime() + 60_000);
}

/** The next instant after `after` when the local clock in `timeZone` shows `minute` (DST-correct). */
export function nextLocalTime(timeZone: string, minute: number, after: Date): Date {
  const local = wallClock(after, timeZone);
  for (let dayOffset = 0; dayOffset < 3; dayOffset++) {
    const day = new Date(Date.UTC(local.y, local.mo - 1, local.d) + dayOffset * 86_400_000);
    const at = zonedInstant(timeZone, day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), minute);
    if (at > after) return at;
  }
  return new Date(after.getTime() + 86_400_000);
}
