import { z } from 'zod';
import { defineOperation } from './operation';
import { storeTarget } from './import';
import { studentId } from './students';

/** Where a run stood: the last enrolment committed before it stopped. */
export const backfillCursor = z.object({
  presentation: z.string(),
  student: z.number().int(),
  /** Enrolments committed up to and including that one. */
  enrolmentsDone: z.number().int(),
});
export type BackfillCursor = z.infer<typeof backfillCursor>;

/** A backfill's scope when it is not 'all'. */
const studentIds = z.array(studentId).min(1).max(100_000);

/**
 * What `progon_users.py <model> <user_id>` did, in bulk: score every enrolment of the chosen
 * students (or all) on every day from day 0 to the end of week `toWeek`, and store each score in
 * the profile's `model_stats` table (docs/backfill.md). Batches commit with a record of
 * progress, so a killed run resumes where it stopped; a rerun replaces rows, never adds them.
 */
export const backfill = defineOperation({
  summary: 'Score enrolments on every day up to the end of week N and store the trajectories',
  input: z.strictObject({
    model: z.string().min(1),
    /** Student ids (every enrolment of each is scored), or 'all'. */
    students: z.union([z.literal('all'), studentIds], {
      // A union names neither form on its own; say which one was meant and what is wrong.
      error: (issue) => {
        if (!Array.isArray(issue.input)) {
          return `"all" or a list of student ids, e.g. [11391], not ${JSON.stringify(issue.input)}`;
        }
        const bad = studentIds.safeParse(issue.input).error?.issues[0];
        return bad && `item ${bad.path.join('.')}: ${bad.message}`;
      },
    }),
    /** Table set to read and write (`v4` reads `*_v4`, writes `model_stats_v4`). Checked as an
     * identifier by the engine, which answers BAD_PROFILE rather than BAD_INPUT. */
    profile: z.string().min(1).max(63).default('default'),
    toWeek: z.number().int().min(1).max(60).default(10),
    target: storeTarget.default('sqlite'),
    /** Enrolments per batch: one read, one ONNX run and one commit each. */
    batchSize: z.number().int().min(1).max(5000).optional(),
    /** Only these presentations (default: all). */
    presentations: z.array(z.string().min(1)).min(1).optional(),
    /** Ignore an unfinished run's progress record and start from the first enrolment. */
    restart: z.boolean().default(false),
  }),
  output: z.object({
    /** Rows written by this invocation (a resumed run counts only what it wrote itself). */
    rows: z.number().int(),
    enrolments: z.number().int(),
    durationMs: z.number(),
    scoresPerSecond: z.number(),
    /** The output table, e.g. `model_stats_v4`. */
    table: z.string(),
    /** Set when an unfinished run of the same model, profile and scope was resumed. */
    resumedFrom: backfillCursor.optional(),
    /** Set when some presentations end before the end of week `toWeek`: those were scored
     * from day 0 to their last day. */
    endingEarly: z.array(z.object({ presentation: z.string(), lastDay: z.number().int() }))
      .optional(),
  }),
  errors: [
    'EMPTY_STORE', 'UNKNOWN_MODEL', 'UNKNOWN_STUDENT', 'UNKNOWN_PRESENTATION', 'BAD_PROFILE',
    'MODEL_FAILED', 'STORE_FAILED', 'BUSY', 'CANCELLED',
  ],
  progress: z.object({
    enrolmentsDone: z.number().int(),
    enrolmentsTotal: z.number().int(),
    rows: z.number().int(),
  }),
});
