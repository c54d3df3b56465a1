import { z } from 'zod';
import { defineOperation } from './operation';
import { metricName } from './models';
import { studentId } from './students';
import { storeTarget } from './import';

export const scoreResult = z.object({
  model: z.string(),
  metric: metricName,
  student: z.number().int(),
  presentation: z.string(),
  /** Days since the presentation's start; the features use no data after this day. */
  asOfDay: z.number().int(),
  asOfDate: z.string(),
  /** How `asOfDay` was chosen: the latest data, the end of a week, or a calendar date. */
  basis: z.enum(['now', 'week', 'date']),
  value: z.number(),
  /** The whole feature vector as of `asOfDay`, so an analyst can see what the score rests on. */
  features: z.record(z.string(), z.number()),
  /** The features this model reads, in its input order. */
  modelFeatures: z.array(z.string()),
  /** Caveats about this score: a day past the weeks the model was trained and measured on, or
   * after the presentation's click data ends. Empty when there are none. */
  notes: z.array(z.string()),
});
export type ScoreResult = z.infer<typeof scoreResult>;

export const score = defineOperation({
  summary: "Score one student's enrolment now, at the end of week N, or as of a date",
  input: z
    .strictObject({
      model: z.string().min(1),
      student: studentId,
      presentation: z.string().optional(),
      week: z.number().int('a week is a whole number (1, 2, …)').optional(),
      date: z.string().optional(),
      target: storeTarget.default('sqlite'),
    })
    .refine((v) => v.week === undefined || v.date === undefined, {
      message: 'give a week or a date, not both',
    }),
  output: scoreResult,
  errors: [
    'EMPTY_STORE',
    'UNKNOWN_MODEL',
    'UNKNOWN_STUDENT',
    'UNKNOWN_PRESENTATION',
    'AMBIGUOUS_ENROLMENT',
    'BAD_WEEK',
    'BAD_DATE',
    'MODEL_FAILED',
  ],
});
