import type { ModelManifest } from '../models/manifest';
import type { Presentation } from '../store/store';
import { todayOf, type AsOf } from './as-of-day';

/**
 * A whole cohort without a click for this many days means the presentation's click data has
 * ended, not its students' activity (from day 0 on, every presentation here has clicks on every
 * day until its data ends; BBB-2013J's file stops at day 132 of 268).
 */
const CLICK_DATA_ENDED_AFTER_DAYS = 7;

/**
 * What an analyst should know before trusting one score, said with it rather than left to the
 * model card: a day past the weeks the model was trained and measured on; a presentation with
 * no click data, scored by a model that reads clicks (it is told the clicks are unknown, and is
 * measured apart for that case); and a day after the presentation's click data ends, where a
 * model that reads clicks sees every student as gone silent. Scores are not changed: a version
 * that scored such days as a presentation without click data was tried and was no better
 * calibrated, since the days lie outside the training weeks either way.
 */
export function scoreCaveats(
  manifest: ModelManifest,
  presentation: Presentation,
  day: number,
): string[] {
  const notes: string[] = [];
  const measured = manifest.evaluation.filter((r) => typeof r.day === 'number'
    && typeof r.week === 'number');
  const last = measured.reduce<{ week: number; day: number } | undefined>((max, r) =>
    (max && max.day >= r.day! ? max : { week: r.week!, day: r.day! }), undefined);
  if (last && day > last.day) {
    notes.push(`day ${day} is after week ${last.week} (day ${last.day}), the last week `
      + `${manifest.name} was trained and measured on: scores this late are extrapolated and `
      + 'less reliable than its card says');
  }
  const clicksEnd = presentation.lastActivityDay;
  // Every shipped model that reads clicks also reads this flag, which tells it whether its
  // click features mean anything; a model without the flag reads no clicks.
  const readsClicks = manifest.features.includes('click_data_available');
  if (readsClicks && clicksEnd === null) {
    notes.push(`${presentation.presentation} has no click data: ${manifest.name} is told its `
      + 'clicks are unknown and scores from coursework, registration and background (its '
      + 'card: "Presentation without click data")');
  }
  if (readsClicks && clicksEnd !== null && day > clicksEnd + CLICK_DATA_ENDED_AFTER_DAYS) {
    notes.push(`${presentation.presentation}'s click data ends on day ${clicksEnd}: `
      + `${manifest.name} reads every student as inactive since then, which lowers scores`);
  }
  return notes;
}

/**
 * "Now" for a presentation that has not started is read as its day 0 (resolveAsOf), a score
 * of registration and background alone: said, so it is not taken for a score of today.
 */
export function notStartedCaveat(presentation: Presentation, asOf: AsOf, today?: Date): string[] {
  if (asOf.basis !== 'now' || todayOf(presentation, today) >= 0) return [];
  return [`${presentation.presentation} starts on ${presentation.startDate}, after today: `
    + '"now" is read as its day 0, before any activity'];
}
