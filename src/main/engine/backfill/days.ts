import { weekEndDay } from '../scoring/as-of-day';
import type { Presentation } from '../store/store';

/**
 * The days a backfill scores for one presentation: day 0 to the end of week `toWeek`
 * (7·toWeek − 1; 0..69 for the default 10 weeks), every enrolment alike, whenever the student
 * registered or unregistered (see docs/backfill.md). A presentation shorter than that stops at
 * its last day, `lengthDays`, the last day OULAD has rows for.
 */
export function backfillDays(toWeek: number, presentation: Presentation): number[] {
  const last = weekEndDay(presentation, toWeek);
  return Array.from({ length: last + 1 }, (_, d) => d);
}
