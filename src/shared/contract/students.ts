import { z } from 'zod';
import { defineOperation } from './operation';

/**
 * A student id as a number or a string of digits (the CLI passes text). Ids are whole numbers
 * within ±2^53: a longer digit string would round to another student's id.
 */
const STUDENT_ID = 'a student id is a whole number of digits, e.g. 11391';
export const studentId = z
  .union([z.number(), z.string().regex(/^\d+$/).transform(Number)], {
    error: (issue) => (issue.input === undefined ? 'a student id is required'
      : `${STUDENT_ID}, not ${typeof issue.input === 'number' ? String(issue.input)
        : JSON.stringify(issue.input)}`),
  })
  // The size first, and alone: int() also fails beyond 2^53, and would call an id of twenty
  // digits not "a whole number of digits".
  .pipe(z.number()
    .max(Number.MAX_SAFE_INTEGER, { error: 'a student id is at most 2^53 − 1', abort: true })
    .int(STUDENT_ID).nonnegative(STUDENT_ID));

export const enrolmentSummary = z.object({
  student: z.number().int(),
  /** Presentation key, module and presentation code joined by a dash: `AAA-2013J`. */
  presentation: z.string(),
  startDate: z.string().describe('calendar date of day 0 (YYYY-MM-DD)'),
  lengthDays: z.number().int(),
  registrationDay: z.number().int().nullable(),
  unregistrationDay: z.number().int().nullable(),
  finalResult: z.string().nullable(),
  hasActivity: z.boolean().describe('whether the presentation has any click data imported'),
});
export type EnrolmentSummary = z.infer<typeof enrolmentSummary>;

export const findStudents = defineOperation({
  summary: 'Find enrolments by student id (exact, or prefix when `prefix` is set)',
  input: z.strictObject({
    student: studentId,
    prefix: z.boolean().default(false),
    limit: z.number().int().min(1).max(500).default(50),
    target: z.enum(['sqlite', 'postgres']).default('sqlite'),
  }),
  output: z.object({
    enrolments: z.array(enrolmentSummary),
    /** Whether more enrolments match than `limit` let through. */
    more: z.boolean(),
  }),
  errors: ['EMPTY_STORE'],
});
