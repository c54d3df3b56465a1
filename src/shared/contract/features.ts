import { z } from 'zod';
import { defineOperation } from './operation';
import { absolutePath } from './paths';

/** Ends of weeks 1..10: the days a training matrix samples by default. */
export const WEEK_END_DAYS = Array.from({ length: 10 }, (_, i) => 7 * (i + 1) - 1);

export const exportFeatures = defineOperation({
  summary: 'Write the feature matrix (one row per enrolment and day) for model training',
  input: z.strictObject({
    /** Absolute: the CLI resolves `-o` against its working directory. */
    out: absolutePath,
    presentations: z.array(z.string()).optional(),
    /** Days since the presentation's start. A presentation's rows run from day 0 to its last
     * day (`lengthDays`); a day after that is skipped for that presentation, not made up. */
    days: z.array(z.number().int('a day is a whole number (0, 1, …)')
      .min(0, 'a day is 0 or later: days count from the presentation\'s start').max(400))
      .min(1).default(WEEK_END_DAYS),
  }),
  output: z.object({
    rows: z.number().int(),
    file: z.string(),
    /** (presentation, day) pairs not written because the day is after the presentation's last
     * day; 0 for the default days, which every OULAD presentation outlasts. */
    skippedBeyondEnd: z.number().int(),
  }),
  errors: ['EMPTY_STORE', 'UNKNOWN_PRESENTATION'],
});
