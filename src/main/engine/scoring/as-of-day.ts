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
    const weeks = Math.ceil((p.lengthDays + 1) / 7);
    if (!Number.isInteger(when.week) || when.week < 1 || when.week > weeks) {
      throw new AppError('BAD_WEEK',
        `week ${when.week} is outside ${p.presentation}, which has weeks 1..${weeks}`,
        { week: when.week, weeks, presentation: p.presentation });
    }
    return { day: Math.min(7 * when.week - 1, lastDay), basis: 'week' };
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
  const todayDay = daysBetween(p.startDate, utcDay(today));
  if (todayDay <= lastDay) return { day: Math.max(todayDay, 0), basis: 'now' };
  return { day: Math.min(p.lastDataDay ?? lastDay, lastDay), basis: 'now' };
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
