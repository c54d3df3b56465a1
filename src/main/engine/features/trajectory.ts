import type { EnrolmentData } from '../store/store';
import {
  ACTIVITY_CATEGORY, AGE_BAND, EDUCATION_LEVEL, FEATURE_COUNT, FEATURE_INDEX as F,
} from './definitions';

const NO_CLICK_OFFSET = 30;
const PASS_MARK = 40;

/**
 * Feature rows of one enrolment for ascending days, in one pass over its rows: click rows and
 * submissions are consumed as the day advances, so days 0..69 cost about what one day costs.
 * Returns `days.length` rows of FEATURE_COUNT values, row-major, ready for an ONNX tensor.
 *
 * Each row depends only on rows dated on or before its day (see definitions.ts); the test
 * `trajectory.test.ts` deletes later rows and checks the row does not change.
 */
export function computeTrajectory(data: EnrolmentData, days: readonly number[]): Float32Array {
  const out = new Float32Array(days.length * FEATURE_COUNT);
  const { enrolment: e, presentation: p, activity } = data;

  const staticPart = staticFeatures(data);
  const submissions = [...data.submissions].sort((a, b) => a.daySubmitted - b.daySubmitted);
  const assessments = p.assessments
    .filter((a) => a.type !== 'Exam' && a.dueDay !== null)
    .sort((a, b) => a.dueDay! - b.dueDay!);
  const dueOf = new Map(p.assessments.map((a) => [a.assessment, a.dueDay]));
  const weightOf = new Map(p.assessments.map((a) => [a.assessment, a.weight]));

  // Running totals, advanced as d grows.
  let clickIdx = 0;
  let clicksTotal = 0;
  let clicksBeforeStart = 0;
  let activeDays = 0;
  let lastClickDay: number | null = null;
  const byCategory = { content: 0, forum: 0, quiz: 0, homepage: 0 };
  const dailyClicks = new Map<number, number>();

  let subIdx = 0;
  let submitted = 0;
  let late = 0;
  let scoreSum = 0;
  let scored = 0;
  let weightedPassed = 0;
  const submittedIds = new Set<number>();

  let dueIdx = 0;
  let dueCount = 0;
  let dueWeight = 0;
  const dueIds: number[] = [];

  for (let row = 0; row < days.length; row++) {
    const d = days[row]!;
    if (row > 0 && d < days[row - 1]!) throw new Error('computeTrajectory: days must ascend');

    for (; clickIdx < activity.day.length && activity.day[clickIdx]! <= d; clickIdx++) {
      const day = activity.day[clickIdx]!;
      const clicks = activity.clicks[clickIdx]!;
      clicksTotal += clicks;
      if (day < 0) clicksBeforeStart += clicks;
      if (!dailyClicks.has(day)) activeDays++;
      dailyClicks.set(day, (dailyClicks.get(day) ?? 0) + clicks);
      lastClickDay = day;
      const category = ACTIVITY_CATEGORY[activity.activityType[clickIdx]!];
      if (category) byCategory[category] += clicks;
    }

    for (; subIdx < submissions.length && submissions[subIdx]!.daySubmitted <= d; subIdx++) {
      const s = submissions[subIdx]!;
      submitted++;
      submittedIds.add(s.assessment);
      const due = dueOf.get(s.assessment);
      if (due !== null && due !== undefined && s.daySubmitted > due) late++;
      if (s.score !== null) {
        scoreSum += s.score;
        scored++;
        if (s.score >= PASS_MARK) weightedPassed += weightOf.get(s.assessment) ?? 0;
      }
    }

    for (; dueIdx < assessments.length && assessments[dueIdx]!.dueDay! <= d; dueIdx++) {
      dueCount++;
      dueWeight += assessments[dueIdx]!.weight;
      dueIds.push(assessments[dueIdx]!.assessment);
    }
    const missed = dueIds.reduce((n, id) => n + (submittedIds.has(id) ? 0 : 1), 0);

    let last7 = 0;
    let active7 = 0;
    let last14 = 0;
    for (let k = 0; k < 14; k++) {
      const c = dailyClicks.get(d - k);
      if (c === undefined) continue;
      last14 += c;
      if (k < 7) {
        last7 += c;
        active7++;
      }
    }

    const o = row * FEATURE_COUNT;
    out.set(staticPart, o);
    out[o + F.day] = d;
    out[o + F.clicks_total] = clicksTotal;
    out[o + F.clicks_before_start] = clicksBeforeStart;
    out[o + F.active_days] = activeDays;
    out[o + F.clicks_last_7d] = last7;
    out[o + F.active_days_last_7d] = active7;
    out[o + F.clicks_last_14d] = last14;
    out[o + F.days_since_last_click] =
      lastClickDay === null ? d + NO_CLICK_OFFSET : d - lastClickDay;
    out[o + F.clicks_content] = byCategory.content;
    out[o + F.clicks_forum] = byCategory.forum;
    out[o + F.clicks_quiz] = byCategory.quiz;
    out[o + F.clicks_homepage] = byCategory.homepage;
    out[o + F.assessments_due] = dueCount;
    out[o + F.weight_due] = dueWeight;
    out[o + F.assessments_submitted] = submitted;
    out[o + F.assessments_missed] = missed;
    out[o + F.share_due_submitted] = dueCount === 0 ? 1 : (dueCount - missed) / dueCount;
    out[o + F.late_submissions] = late;
    out[o + F.mean_score] = scored === 0 ? 0 : scoreSum / scored;
    out[o + F.weighted_passed] = weightedPassed;
    out[o + F.unregistered] =
      e.unregistrationDay !== null && e.unregistrationDay <= d ? 1 : 0;
    out[o + F.active_days_rank] = data.cohort.rank('active_days', d, activeDays);
    out[o + F.clicks_total_rank] = data.cohort.rank('clicks_total', d, clicksTotal);
    out[o + F.clicks_last_7d_rank] = data.cohort.rank('clicks_last_7d', d, last7);
  }
  return out;
}

/** The features that do not move with d, as a template row. */
function staticFeatures(data: EnrolmentData): Float32Array {
  const { enrolment: e, presentation: p } = data;
  const row = new Float32Array(FEATURE_COUNT);
  row[F.presentation_length] = p.lengthDays;
  row[F.click_data_available] = p.hasActivity ? 1 : 0;
  row[F.registration_day] = e.registrationDay ?? 0;
  row[F.prev_attempts] = e.prevAttempts ?? 0;
  row[F.studied_credits] = e.studiedCredits ?? 0;
  row[F.education_level] = EDUCATION_LEVEL[e.highestEducation ?? ''] ?? 1;
  row[F.imd_band] = imdBandIndex(e.imdBand);
  row[F.age_band] = AGE_BAND[e.ageBand ?? ''] ?? 0;
  return row;
}

/** `0-10%` → 0 … `90-100%` → 9 (OULAD also writes `10-20`, without the percent sign). */
export function imdBandIndex(band: string | null): number {
  return parseImdBand(band) ?? 4.5;
}

/** The decile of an IMD band, or undefined for anything that is not one of the ten bands. */
export function parseImdBand(band: string | null): number | undefined {
  const match = band ? /^(\d+)-(\d+)%?$/.exec(band) : null;
  if (!match) return undefined;
  const [low, high] = [Number(match[1]), Number(match[2])];
  return low % 10 === 0 && low <= 90 && high === low + 10 ? low / 10 : undefined;
}

/** One day's feature row: the same code path as a trajectory, for one day. */
export function featuresAsOf(data: EnrolmentData, day: number): Float32Array {
  return computeTrajectory(data, [day]);
}
