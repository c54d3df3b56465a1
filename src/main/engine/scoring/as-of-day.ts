import { AppError } from '../../../shared/errors';
import type { Presentation } from '../store/store';

export type AsOf = { day: number; basis: 'now' | 'week' | 'date' };

const MS_PER_DAY = 86_400_000;

/**
 * Turns "now", a week or a calendar date into a day of the presentation.
 *
 * - week N: the end of week N, day 7N−1 (week 1 is days 0..6). OULAD's rows run from day 0 to
 *   day `length` inclusive, so weeks run 1..ceil((length+1)/7) and the last, partial week ends
 *   on day `length`.
 * - date: days between the start date and that date, counted on calendar dates in UTC, so a
 *   time zone or a daylight-saving change can never shift the day. Like a week, a date must
 *   fall within the presentation.
 * - now: today's day of the presentation while it runs; for a finished presentation, the last
 *   day with data (clicks or submissions), capped at its last day.
 */
export function resolveAsOf(
  p: Presentation,
  when: { week?: number; date?: string },
  today: Date = new Date(),
): AsOf {
  const lastDay = p.lengthDays;
  if (when.week !== undefined) {
    requireWeeks(p, [when.week]);
    return { day: weekEndDay(p, when.week), basis: 'week' };
  }
  if (when.date !== undefined) {
    const day = daysBetween(p.startDate, parseDate(when.date));
    if (day < 0 || day > lastDay) {
      const end = dateOfDay(p.startDate, lastDay);
      throw new AppError('BAD_DATE', `${when.date} is outside ${p.presentation}, which runs from `
        + `${p.startDate} to ${end}`, { date: when.date, startDate: p.startDate, endDate: end });
    }
    return { day, basis: 'date' };
  }
  const todayDay = todayOf(p, today);
  if (todayDay <= lastDay) return { day: Math.max(todayDay, 0), basis: 'now' };
  return { day: Math.min(p.lastDataDay ?? lastDay, lastDay), basis: 'now' };
}

/** Today's day of the presentation: negative before it starts, past `lengthDays` after it. */
export function todayOf(p: Presentation, today: Date = new Date()): number {
  return daysBetween(p.startDate, utcDay(today));
}

/** How many weeks a presentation has: days 0..length, so the last week may be partial. */
export function weekCount(p: Presentation): number {
  return Math.ceil((p.lengthDays + 1) / 7);
}

/** The last day of week N (day 7N−1), or the presentation's last day if it ends sooner. */
export function weekEndDay(p: Presentation, week: number): number {
  return Math.min(7 * week - 1, p.lengthDays);
}

/** BAD_WEEK unless every week is one of the presentation's weeks (1..weekCount). */
export function requireWeeks(p: Presentation, weeks: readonly number[]): void {
  const count = weekCount(p);
  const outside = weeks.filter((w) => !Number.isInteger(w) || w < 1 || w > count);
  if (outside.length === 0) return;
  const which = outside.length === 1 ? `week ${outside[0]} is` : `weeks ${outside.join(', ')} are`;
  throw new AppError('BAD_WEEK', `${which} outside ${p.presentation}, which has weeks 1..${count}`,
    { ...(outside.length === 1 ? { week: outside[0] } : { outside }), weeks: count,
      presentation: p.presentation });
}

/** Strict `YYYY-MM-DD` that names a real calendar day (no 2013-02-30, no time part). */
export function parseDate(text: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const ms = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : NaN;
  const back = Number.isNaN(ms) ? null : new Date(ms).toISOString().slice(0, 10);
  if (back === null || back !== text) {
    throw new AppError('BAD_DATE', `"${text}" is not a calendar date in the form YYYY-MM-DD`,
      { date: text });
  }
  return ms;
}

export function daysBetween(startDate: string, utcMs: number): number {
  return Math.round((utcMs - parseDate(startDate)) / MS_PER_DAY);
}

/** The calendar date of a presentation day. */
export function dateOfDay(startDate: string, day: number): string {
  return new Date(parseDate(startDate) + day * MS_PER_DAY).toISOString().slice(0, 10);
}

function utcDay(date: Date): number {
  return Date.UTC(date.getFullYear(), date.getMonth(), date.getDate());
}
