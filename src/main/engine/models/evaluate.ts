import type { OutputOf, ParsedInputOf, WeekMetrics } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import { FEATURE_COUNT } from '../features/definitions';
import { enrolmentBatches } from '../features/enrolment-batches';
import { progressLabel, successLabel } from '../features/labels';
import { computeTrajectory } from '../features/trajectory';
import { dateOfDay, requireWeeks, todayOf, weekEndDay } from '../scoring/as-of-day';
import { scoreCaveats } from '../scoring/caveats';
import {
  requireData, requirePresentations, type LearningStore, type Presentation,
} from '../store/store';
import type { ModelRegistry } from './registry';

/** Equal-width calibration bins, the same as training/edutrain/metrics.py. */
export const ECE_BINS = 10;

/**
 * Labels read the whole enrolment, so rows are read to the end of the presentation, as the
 * training export reads them; each feature row still uses only rows up to its own day.
 */
const WHOLE_ENROLMENT_DAY = 100_000;

/**
 * ROC-AUC as the Mann-Whitney statistic: the chance that a random positive scores above a
 * random negative, tied scores counting one half (average ranks). Null with only one class.
 */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number | null {
  const n = labels.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let positives = 0;
  let positiveRankSum = 0;
  for (let start = 0; start < n;) {
    let end = start + 1;
    while (end < n && scores[order[end]!] === scores[order[start]!]) end++;
    // Ranks start..end-1 (0-based) share their mean, 1-based: (start + 1 + end) / 2.
    const rank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) {
      if (labels[order[k]!] === 1) {
        positives++;
        positiveRankSum += rank;
      }
    }
    start = end;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return null;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Mean squared difference between probability and outcome. */
export function brierScore(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < labels.length; i++) sum += (scores[i]! - labels[i]!) ** 2;
  return sum / labels.length;
}

/**
 * Expected calibration error: over bins [0, 0.1), …, [0.9, 1.0], the share of rows in the bin
 * times |mean score − observed rate| there. A score of exactly 1 falls in the last bin.
 */
export function expectedCalibrationError(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  bins = ECE_BINS,
): number {
  const count = new Array<number>(bins).fill(0);
  const scoreSum = new Array<number>(bins).fill(0);
  const labelSum = new Array<number>(bins).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const bin = Math.max(0, Math.min(bins - 1, Math.floor(scores[i]! * bins)));
    count[bin]!++;
    scoreSum[bin]! += scores[i]!;
    labelSum[bin]! += labels[i]!;
  }
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    if (count[b] === 0) continue;
    const gap = Math.abs(scoreSum[b]! / count[b]! - labelSum[b]! / count[b]!);
    ece += (count[b]! / labels.length) * gap;
  }
  return ece;
}

/** Mean absolute difference between prediction and outcome. */
export function meanAbsoluteError(
  labels: ArrayLike<number>,
  predictions: ArrayLike<number>,
): number {
  let sum = 0;
  for (let i = 0; i < labels.length; i++) sum += Math.abs(predictions[i]! - labels[i]!);
  return sum / labels.length;
}

/**
 * Back-tests a model on one presentation: every enrolment, at the end of each requested week,
 * through the same features and ONNX session scoring uses, one ONNX run per batch.
 */
export async function evaluateModel(
  store: LearningStore,
  models: ModelRegistry,
  input: ParsedInputOf<'evaluateModel'>,
  signal?: AbortSignal,
  today: Date = new Date(),
): Promise<OutputOf<'evaluateModel'>> {
  const started = performance.now();
  await requireData(store);
  const manifest = models.manifest(input.model);
  await requirePresentations(store, [input.presentation]);
  const presentation = (await store.presentation(input.presentation))!;
  const weeks = [...new Set(input.weeks)].sort((a, b) => a - b);
  requireWeeks(presentation, weeks);
  const days = weeks.map((w) => weekEndDay(presentation, w));
  requireFinished(presentation, today);
  const model = await models.get(input.model);
  const success = manifest.metric === 'm2_success';
  const labelOf = success ? successLabel : progressLabel;

  const labels: number[] = [];
  const scoresByWeek: number[][] = weeks.map(() => []);
  let withoutOutcome = 0;
  for await (const all of enrolmentBatches(store, {
    presentations: [presentation.presentation], upToDay: WHOLE_ENROLMENT_DAY, signal,
  })) {
    const batch = success ? all.filter((d) => d.enrolment.finalResult !== null) : all;
    withoutOutcome += all.length - batch.length;
    if (batch.length === 0) continue;
    const rows = new Float32Array(batch.length * days.length * FEATURE_COUNT);
    batch.forEach((data, i) => {
      rows.set(computeTrajectory(data, days), i * days.length * FEATURE_COUNT);
      labels.push(labelOf(data));
    });
    const scores = await model.run(rows, batch.length * days.length);
    for (let i = 0; i < batch.length; i++) {
      for (let w = 0; w < days.length; w++) scoresByWeek[w]!.push(scores[i * days.length + w]!);
    }
  }
  if (labels.length === 0 && withoutOutcome > 0) {
    throw new AppError('NO_OUTCOMES', `none of the ${withoutOutcome} enrolments of `
      + `${presentation.presentation} has a final result: there is nothing to measure against`,
    { presentation: presentation.presentation, withoutOutcome });
  }

  const naive = typeof manifest.card?.naivePrediction === 'number'
    ? manifest.card.naivePrediction : null;
  return {
    model: manifest.name,
    metric: manifest.metric,
    kind: manifest.kind,
    presentation: presentation.presentation,
    trainedOn: manifest.trainedOn.includes(presentation.presentation),
    cardPresentation: manifest.evaluatedOn.includes(presentation.presentation),
    weeks: weeks.map((week, w) => weekMetricsOf(manifest.kind, week, days[w]!, labels,
      scoresByWeek[w]!, naive)),
    withoutOutcome,
    notes: scoreCaveats(manifest, presentation, days[days.length - 1]!),
    durationMs: Math.round(performance.now() - started),
  };
}

/**
 * NO_OUTCOMES unless the presentation's last day is before today: while it runs, neither final
 * results nor the coursework passed by the end exist, and any figure would be measured against
 * outcomes that are not yet there.
 */
function requireFinished(presentation: Presentation, today: Date): void {
  if (todayOf(presentation, today) > presentation.lengthDays) return;
  const lastDate = dateOfDay(presentation.startDate, presentation.lengthDays);
  throw new AppError('NO_OUTCOMES', `${presentation.presentation} runs until ${lastDate}: a `
    + 'back-test needs a finished presentation, whose outcomes are known',
  { presentation: presentation.presentation, endDate: lastDate });
}

function weekMetricsOf(
  kind: 'classifier' | 'regressor',
  week: number,
  day: number,
  labels: number[],
  scores: number[],
  naive: number | null,
): WeekMetrics {
  const n = labels.length;
  // A presentation without enrolments has nothing to measure: every figure is null.
  const ifAny = (f: () => number) => (n === 0 ? null : f());
  const summary = {
    week, day, n,
    mean_score: ifAny(() => scores.reduce((s, v) => s + v, 0) / n),
    min_score: ifAny(() => scores.reduce((m, v) => Math.min(m, v), Infinity)),
    max_score: ifAny(() => scores.reduce((m, v) => Math.max(m, v), -Infinity)),
  };
  if (kind === 'classifier') {
    return {
      ...summary,
      positives: labels.reduce((s, v) => s + v, 0),
      auc: rocAuc(labels, scores),
      brier: ifAny(() => brierScore(labels, scores)),
      ece: ifAny(() => expectedCalibrationError(labels, scores)),
    };
  }
  return {
    ...summary,
    mae: ifAny(() => meanAbsoluteError(labels, scores)),
    mae_naive: naive === null
      ? null : ifAny(() => meanAbsoluteError(labels, labels.map(() => naive))),
  };
}
