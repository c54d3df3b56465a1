import { AppError } from '../../../shared/errors';
import { FEATURE_COUNT } from '../features/definitions';
import { computeTrajectory } from '../features/trajectory';
import type { LoadedModel } from '../models/registry';
import type { EnrolmentData } from '../store/store';

export interface ScoredBatch {
  /** days.length scores per enrolment, enrolments in batch order. */
  values: Float32Array;
  featureMs: number;
  modelMs: number;
}

/**
 * Features of every enrolment of a batch for every day (one pass over each enrolment's rows),
 * then one ONNX run over all of them: a batch of 1,000 enrolments × 70 days is one run of
 * 70,000 rows, where the old script made 70,000 runs of one row.
 */
export async function scoreBatch(
  model: LoadedModel,
  batch: EnrolmentData[],
  days: readonly number[],
): Promise<ScoredBatch> {
  const started = performance.now();
  const perEnrolment = days.length * FEATURE_COUNT;
  const rows = new Float32Array(batch.length * perEnrolment);
  for (let i = 0; i < batch.length; i++) {
    rows.set(computeTrajectory(batch[i]!, days), i * perEnrolment);
  }
  const count = batch.length * days.length;
  const featured = performance.now();

  const values = await model.run(rows, count);
  if (values.length !== count) {
    throw new AppError('MODEL_FAILED', `model ${model.manifest.name} returned ${values.length} `
      + `values for ${count} rows: its output must be one score per row`,
    { model: model.manifest.name });
  }
  return { values, featureMs: featured - started, modelMs: performance.now() - featured };
}
