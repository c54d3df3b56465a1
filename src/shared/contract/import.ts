import { z } from 'zod';
import { defineOperation } from './operation';
import { absolutePath } from './paths';

export const storeTarget = z.enum(['sqlite', 'postgres']);

export const importData = defineOperation({
  summary: 'Import a source dataset (OULAD CSV folder) into the canonical store',
  input: z.strictObject({
    format: z.literal('oulad'),
    /** Absolute: the CLI resolves it against its working directory. */
    folder: absolutePath,
    target: storeTarget.default('sqlite'),
    /** Table set to fill (`v4` fills `*_v4`); checked by the engine (BAD_PROFILE). */
    profile: z.string().min(1).max(63).default('default'),
  }),
  output: z.object({
    tables: z.array(z.object({ table: z.string(), rows: z.number().int() })),
    presentations: z.number().int(),
    /** Presentations the folder has no click rows for but the store had: their earlier click
     * rows are kept (a folder often lacks the large click files), minus rows whose enrolment
     * or site the new tables no longer have. */
    keptClicks: z.array(z.object({
      presentation: z.string(), kept: z.number().int(), dropped: z.number().int(),
    })),
    durationMs: z.number(),
  }),
  errors: ['IMPORT_FAILED', 'STORE_FAILED', 'CANCELLED'],
  progress: z.object({ file: z.string(), rows: z.number().int() }),
});
