import type { OutputOf, ParsedInputOf } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import { FEATURE_NAMES } from '../features/definitions';
import { featuresAsOf } from '../features/trajectory';
import type { ModelRegistry } from '../models/registry';
import {
  requireData, requirePresentations, type Enrolment, type LearningStore,
} from '../store/store';
import { dateOfDay, resolveAsOf } from './as-of-day';
import { notStartedCaveat, scoreCaveats } from './caveats';

/**
 * The main job: one student's enrolment, one as-of day, one model run. The enrolment is chosen
 * by `presentation` when the student has several; otherwise the caller is told which exist.
 */
export async function scoreStudent(
  store: LearningStore,
  models: ModelRegistry,
  input: ParsedInputOf<'score'>,
  today?: Date,
): Promise<OutputOf<'score'>> {
  // An unknown or unusable model fails before any data is read.
  const model = await models.get(input.model);
  const enrolment = await resolveEnrolment(store, input.student, input.presentation);
  const presentation = (await store.presentation(enrolment.presentation))!;
  const asOf = resolveAsOf(presentation, input, today);

  const [data] = await store.enrolmentData(presentation.presentation, [input.student], asOf.day);
  const row = featuresAsOf(data!, asOf.day);
  const [value] = await model.run(row, 1);

  return {
    model: model.manifest.name,
    metric: model.manifest.metric,
    student: input.student,
    presentation: presentation.presentation,
    asOfDay: asOf.day,
    asOfDate: dateOfDay(presentation.startDate, asOf.day),
    basis: asOf.basis,
    value: value!,
    features: Object.fromEntries(FEATURE_NAMES.map((f, i) => [f, row[i]!])),
    modelFeatures: model.manifest.features,
    notes: [
      ...notStartedCaveat(presentation, asOf, today),
      ...scoreCaveats(model.manifest, presentation, asOf.day),
    ],
  };
}

export async function resolveEnrolment(
  store: LearningStore,
  student: number,
  presentation?: string,
): Promise<Enrolment> {
  await requireData(store);
  const enrolments = await store.findEnrolments(student, { prefix: false, limit: 100 });
  if (enrolments.length === 0) {
    throw new AppError('UNKNOWN_STUDENT', `no enrolment for student ${student}`, { student });
  }
  const keys = enrolments.map((e) => e.presentation);
  if (presentation !== undefined) {
    const chosen = enrolments.find((e) => e.presentation === presentation);
    if (!chosen) {
      await requirePresentations(store, [presentation]);
      throw new AppError('UNKNOWN_STUDENT', `student ${student} is not enrolled in `
        + `${presentation} (enrolled in ${keys.join(', ')})`,
      { student, presentation, presentations: keys });
    }
    return chosen;
  }
  if (enrolments.length > 1) {
    throw new AppError('AMBIGUOUS_ENROLMENT', `student ${student} is enrolled in `
      + `${keys.join(', ')}: choose one with --presentation (presentation in the API)`,
      { student, presentations: keys });
  }
  return enrolments[0]!;
}
