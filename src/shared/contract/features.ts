import { z } from 'zod';
import { defineOperation } from './operation';
import { absolutePath } from './paths';

/** Ends of weeks 1..10: the days a training matrix samples by default. */
export const WEEK_END_DAYS = Array.from({ length: 10 }, (_, i) => 7 * (i + 1) - 1);

export const exportFeatures = defineOperation({
  summary: 'Write the feature matrix (one row per enrolment and day) for model training',
  input: z.object({
    /** Absolute: the CLI resolves `-o` against its working directory. */
    out: absolutePath,
    presentations: z.array(z.string()).optional(),
    days: z.array(z.number().int().min(-30).max(400)).min(1).default(WEEK_END_DAYS),
  }),
  output: z.object({ rows: z.number().int(), file: z.string() }),
  errors: ['EMPTY_STORE', 'UNKNOWN_PRESENTATION'],
});
