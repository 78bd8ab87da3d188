const DAY_MS = 86_400_000;

/** `2026-12-02` of a UTC instant. */
export function dayOf(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** `day` moved by `days` (negative: back). */
export function addDays(day: string, days: number): string {
  return dayOf(new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS));
}

/** The first day GSC still keeps: `months` calendar months back from `today`. */
export function monthsBack(today: string, months: number): string {
  const at = new Date(`${today}T00:00:00Z`);
  at.setUTCMonth(at.getUTCMonth() - months);
  return dayOf(at);
}

export interface Window {
  start: string;
  end: string;
  /** `recent`: extends what is final forward; `backfill`: extends the history back. */
  kind: 'recent' | 'backfill';
}

/** Splits [start, end] into windows of at most `size` days, oldest first or newest first. */
function split(
  start: string,
  end: string,
  size: number,
  order: 'oldest' | 'newest',
  kind: Window['kind'],
): Window[] {
  const windows: Window[] = [];
  if (start > end) return windows;
  if (order === 'oldest') {
    for (let from = start; from <= end; from = addDays(from, size)) {
      const to = addDays(from, size - 1);
      windows.push({ start: from, end: to < end ? to : end, kind });
    }
  } else {
    for (let to = end; to >= start; to = addDays(to, -size)) {
      const from = addDays(to, -(size - 1));
      windows.push({ start: from > start ? from : start, end: to, kind });
    }
  }
  return windows;
}

/**
 * The windows one ingestion fetches (docs/seo.md § Ingestion). A source's
 * stored history is the days [historyFrom, today] with everything up to
 * finalThrough final. A new source backfills from today back to `earliest`,
 * newest first, so recent data shows first. Later runs fetch the days not
 * yet final, oldest first (each window extends finalThrough), then any
 * history an earlier backfill did not finish, newest first (each window
 * extends historyFrom). Every window is fetched whole and written in one
 * transaction, so the stored days are always whole days.
 */
export function planWindows(state: {
  today: string;
  earliest: string;
  historyFrom: string | null;
  finalThrough: string | null;
  windowDays: number;
}): Window[] {
  const { today, earliest, historyFrom, finalThrough, windowDays } = state;
  if (!historyFrom || !finalThrough) return split(earliest, today, windowDays, 'newest', 'backfill');
  return [
    ...split(addDays(finalThrough, 1), today, windowDays, 'oldest', 'recent'),
    ...split(earliest, addDays(historyFrom, -1), windowDays, 'newest', 'backfill'),
  ];
}

/** The source's stored span after `window` was written, given the first day not yet final. */
export function advance(
  state: { historyFrom: string | null; finalThrough: string | null },
  window: Window,
  firstIncomplete: string,
): { historyFrom: string; finalThrough: string } {
  const finalEnd = window.end < firstIncomplete ? window.end : addDays(firstIncomplete, -1);
  const historyFrom =
    !state.historyFrom || window.start < state.historyFrom ? window.start : state.historyFrom;
  // A backfill window older than what is final moves nothing forward; nor does a window ending in fresh days move it back.
  const finalThrough =
    !state.finalThrough || (window.start <= addDays(state.finalThrough, 1) && finalEnd > state.finalThrough)
      ? finalEnd
      : state.finalThrough;
  return { historyFrom, finalThrough };
}
