import type { CohortContext } from '../features/cohort';
import { groupActivity, type ActivityRow } from './activity-rows';
import type {
  ActivityColumns, Assessment, Enrolment, EnrolmentData, Presentation, Submission,
} from './store';

/**
 * Row mappers shared by the SQLite and Postgres stores: both select the same columns, so one
 * mapping turns a driver's plain row objects into the store's types and the two stores can
 * never return different shapes for the same data.
 */
export type Row = Record<string, unknown>;

export function toEnrolment(r: Row): Enrolment {
  return {
    presentation: String(r.presentation),
    student: Number(r.student),
    gender: (r.gender as string | null) ?? null,
    region: (r.region as string | null) ?? null,
    highestEducation: (r.highest_education as string | null) ?? null,
    imdBand: (r.imd_band as string | null) ?? null,
    ageBand: (r.age_band as string | null) ?? null,
    prevAttempts: nullableNumber(r.prev_attempts),
    studiedCredits: nullableNumber(r.studied_credits),
    disability: (r.disability as string | null) ?? null,
    finalResult: (r.final_result as string | null) ?? null,
    registrationDay: nullableNumber(r.registration_day),
    unregistrationDay: nullableNumber(r.unregistration_day),
  };
}

export function toAssessment(r: Row): Assessment {
  return {
    assessment: Number(r.assessment),
    type: String(r.assessment_type),
    dueDay: nullableNumber(r.due_day),
    weight: Number(r.weight),
  };
}

export function toPresentation(
  p: Row,
  assessments: Assessment[],
  lastActivityDay: number | null,
  lastSubmissionDay: number | null,
): Presentation {
  const candidates = [lastActivityDay, lastSubmissionDay].filter((d): d is number => d !== null);
  return {
    presentation: String(p.presentation),
    module: String(p.module),
    code: String(p.code),
    startDate: String(p.start_date),
    lengthDays: Number(p.length_days),
    hasActivity: lastActivityDay !== null,
    lastActivityDay: nullableNumber(lastActivityDay),
    lastDataDay: candidates.length ? Math.max(...candidates.map(Number)) : null,
    assessments,
  };
}

export function nullableNumber(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}

/** Joins a batch's rows into one EnrolmentData per enrolment (rows sorted by student, day). */
export function assemble(
  presentation: Presentation,
  enrolments: Enrolment[],
  activity: ActivityRow[],
  submissionRows: Row[],
  cohort: CohortContext,
): EnrolmentData[] {
  return assembleGrouped(presentation, enrolments, groupActivity(activity), submissionRows,
    cohort);
}

/** As `assemble`, with the click rows already split per enrolment. */
export function assembleGrouped(
  presentation: Presentation,
  enrolments: Enrolment[],
  activityByStudent: Map<number, ActivityColumns>,
  submissionRows: Row[],
  cohort: CohortContext,
): EnrolmentData[] {
  const submissionsByStudent = new Map<number, Submission[]>();
  for (const r of submissionRows) {
    const student = Number(r.student);
    const list = submissionsByStudent.get(student) ?? [];
    list.push({
      assessment: Number(r.assessment),
      daySubmitted: Number(r.day_submitted),
      isBanked: Number(r.is_banked) === 1,
      score: nullableNumber(r.score),
    });
    submissionsByStudent.set(student, list);
  }
  return enrolments.map((enrolment) => ({
    enrolment,
    presentation,
    activity: activityByStudent.get(enrolment.student) ?? {
      day: new Int32Array(0), clicks: new Int32Array(0), activityType: [],
    },
    submissions: submissionsByStudent.get(enrolment.student) ?? [],
    cohort,
  }));
}

/**
 * Splits click rows in any order, `[student, day, clicks, site]`, into per-enrolment columns
 * sorted by day, naming each site's activity type from `siteTypes`. Lets a server skip sorting
 * (and joining) a batch's click rows: grouping them here costs one pass and small sorts.
 */
export function groupUnsortedActivity(
  rows: readonly (readonly number[])[],
  siteTypes: ReadonlyMap<number, string>,
): Map<number, ActivityColumns> {
  const counts = new Map<number, number>();
  for (const r of rows) counts.set(r[0]!, (counts.get(r[0]!) ?? 0) + 1);
  const out = new Map<number, ActivityColumns>();
  const filled = new Map<number, number>();
  for (const [student, n] of counts) {
    out.set(student, { day: new Int32Array(n), clicks: new Int32Array(n),
      activityType: new Array<string>(n) });
    filled.set(student, 0);
  }
  for (const r of rows) {
    const cols = out.get(r[0]!)!;
    const i = filled.get(r[0]!)!;
    cols.day[i] = r[1]!;
    cols.clicks[i] = r[2]!;
    cols.activityType[i] = siteTypes.get(r[3]!) ?? '';
    filled.set(r[0]!, i + 1);
  }
  for (const [student, cols] of out) out.set(student, sortedByDay(cols));
  return out;
}

function sortedByDay(cols: ActivityColumns): ActivityColumns {
  let sorted = true;
  for (let i = 1; i < cols.day.length && sorted; i++) sorted = cols.day[i - 1]! <= cols.day[i]!;
  if (sorted) return cols;
  const order = Array.from(cols.day.keys()).sort((a, b) => cols.day[a]! - cols.day[b]!);
  return {
    day: Int32Array.from(order, (i) => cols.day[i]!),
    clicks: Int32Array.from(order, (i) => cols.clicks[i]!),
    activityType: order.map((i) => cols.activityType[i]!),
  };
}
