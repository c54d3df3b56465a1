import { z } from 'zod';
import { defineOperation } from './operation';

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
  input: z.object({
    student: z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]).transform(Number),
    prefix: z.boolean().default(false),
    limit: z.number().int().min(1).max(500).default(50),
  }),
  output: z.object({ enrolments: z.array(enrolmentSummary) }),
  errors: ['EMPTY_STORE'],
});
