import type { BackfillCursor } from '../../../shared/contract/backfill';
import { AppError } from '../../../shared/errors';
import {
  requireData, requirePresentations, type LearningStore, type Presentation,
} from '../store/store';
import { weekCount } from '../scoring/as-of-day';
import { backfillDays } from './days';

/** One presentation's share of a run: its enrolments still to score and the days to score. */
export interface PlanSegment {
  presentation: Presentation;
  students: number[];
  days: number[];
}

export interface BackfillPlan {
  segments: PlanSegment[];
  /** Enrolments in the run's scope, done or not. */
  total: number;
  /** Enrolments already committed by the run being resumed (0 for a fresh run). */
  done: number;
  /** Whether the cursor was found and applied. */
  resumed: boolean;
  /** Presentations in scope that end before the end of week `toWeek`: scored to their last
   * day. Said in the result, so that a week past the end is never cut short silently. */
  endingEarly: { presentation: string; lastDay: number }[];
}

/**
 * Which enrolments a run covers, in the order it commits them (presentations as the store lists
 * them, students ascending), minus those up to `cursor` when an unfinished run is resumed. The
 * order is the store's own, so a cursor written by one run means the same position to the next.
 */
export async function planBackfill(
  store: LearningStore,
  scope: { students: number[] | 'all'; toWeek: number; presentations?: string[] },
  cursor: BackfillCursor | null,
): Promise<BackfillPlan> {
  await requireData(store);
  const known = await requirePresentations(store, scope.presentations);
  const chosen = scope.presentations ? known.filter((p) => scope.presentations!.includes(p))
    : known;
  const wanted = scope.students === 'all' ? undefined : new Set(scope.students);

  const segments: PlanSegment[] = [];
  const found = new Set<number>();
  for (const key of chosen) {
    let students = await store.enrolledStudents(key);
    if (wanted) students = students.filter((s) => wanted.has(s));
    if (students.length === 0) continue;
    for (const s of students) found.add(s);
    const presentation = (await store.presentation(key))!;
    segments.push({ presentation, students, days: backfillDays(scope.toWeek, presentation) });
  }
  const missing = wanted ? [...wanted].filter((s) => !found.has(s)) : [];
  if (missing.length) {
    throw new AppError('UNKNOWN_STUDENT', `no enrolment for student(s) ${missing.slice(0, 10)
      .join(', ')}${missing.length > 10 ? ', …' : ''}`, { students: missing.slice(0, 100) });
  }
  const total = segments.reduce((n, s) => n + s.students.length, 0);
  const endingEarly = segments.filter((s) => weekCount(s.presentation) < scope.toWeek)
    .map((s) => ({ presentation: s.presentation.presentation, lastDay: s.presentation.lengthDays }));
  const fresh = { segments, total, done: 0, resumed: false, endingEarly };
  if (!cursor) return fresh;

  const at = segments.findIndex((s) => s.presentation.presentation === cursor.presentation);
  if (at < 0) return fresh;
  const rest = segments.slice(at).map((s, i) => i > 0 ? s
    : { ...s, students: s.students.filter((student) => student > cursor.student) })
    .filter((s) => s.students.length > 0);
  const remaining = rest.reduce((n, s) => n + s.students.length, 0);
  return { segments: rest, total, done: total - remaining, resumed: true, endingEarly };
}
