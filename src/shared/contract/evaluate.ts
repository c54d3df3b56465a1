import { z } from 'zod';
import { defineOperation } from './operation';
import { metricName } from './models';

/** Weeks 1..10, the range every model is trained and carded on. */
export const DEFAULT_EVALUATION_WEEKS = Array.from({ length: 10 }, (_, i) => i + 1);

/**
 * One week of a back-test. Keys follow the manifests' `evaluation` records (written by
 * training/train.py), so a back-test on a model's evaluation presentation can be laid next to
 * its card figure by figure. Classifiers fill auc/brier/ece; the regressor mae/mae_naive.
 */
export const weekMetrics = z.object({
  week: z.number().int(),
  /** The as-of day, 7 × week − 1. */
  day: z.number().int(),
  /** Enrolments scored: every enrolment of the presentation with a known outcome. */
  n: z.number().int(),
  /** Enrolments with the positive outcome (classifiers). */
  positives: z.number().int().optional(),
  /** ROC-AUC, ties counted one half; null when only one outcome occurs. */
  auc: z.number().nullable().optional(),
  brier: z.number().nullable().optional(),
  /** Expected calibration error over 10 equal-width bins. */
  ece: z.number().nullable().optional(),
  mae: z.number().nullable().optional(),
  /** MAE of the card's naive prediction (the training mean); null when the card has none. */
  mae_naive: z.number().nullable().optional(),
  /** The spread of the scores (null only for a presentation without enrolments). */
  mean_score: z.number().nullable(),
  min_score: z.number().nullable(),
  max_score: z.number().nullable(),
});
export type WeekMetrics = z.infer<typeof weekMetrics>;

/**
 * Back-test: score every enrolment of one presentation at the end of each week, with the
 * app's own features and ONNX session, and measure against the final outcome. On a model's
 * evaluation presentation it reproduces the card; on any other it shows how the model fares
 * there (on its training presentations, the figures are optimistic).
 */
export const evaluateModel = defineOperation({
  summary: 'Back-test a model on one presentation: AUC, Brier and ECE (or MAE) by week',
  input: z.strictObject({
    model: z.string().min(1),
    presentation: z.string().min(1),
    /** Weeks to measure, each one of the presentation's weeks (checked by the engine, which
     * answers BAD_WEEK like `score`); the last, partial week ends on the last day. */
    weeks: z.array(z.number().int('a week is a whole number (1, 2, …)')).min(1).max(60)
      .default(DEFAULT_EVALUATION_WEEKS),
  }),
  output: z.object({
    model: z.string(),
    metric: metricName,
    kind: z.enum(['classifier', 'regressor']),
    presentation: z.string(),
    /** Whether the model was trained on this presentation (then the figures flatter it). */
    trainedOn: z.boolean(),
    /** Whether this is one of the presentations the model's card reports on. */
    cardPresentation: z.boolean(),
    weeks: z.array(weekMetrics),
    /** Enrolments left out of an m2_success back-test because their final result is not
     * recorded (an empty `final_result`): counting them as failures would invent outcomes. */
    withoutOutcome: z.number().int(),
    /** What to know before reading the figures, as `score` says per score: weeks past the
     * model's measured weeks, or days after the presentation's click data ends. */
    notes: z.array(z.string()),
    durationMs: z.number(),
  }),
  errors: ['EMPTY_STORE', 'UNKNOWN_MODEL', 'UNKNOWN_PRESENTATION', 'BAD_WEEK', 'NO_OUTCOMES',
    'MODEL_FAILED', 'CANCELLED'],
});
