import { z } from 'zod';
import { storeTarget } from './import';
import { defineOperation } from './operation';
import { absolutePath } from './paths';

/** A folder name, not a path: exclusions match one path segment, so a slash could never match. */
const folderName = z.string().min(1).refine((n) => !/[\\/]/.test(n), {
  message: 'must be a folder name without slashes',
});

export const scanInput = z.strictObject({
  roots: z.array(absolutePath).min(1),
  target: storeTarget.default('sqlite'),
  /** Folder names skipped at any depth; replaces the defaults (.ipynb_checkpoints etc.). */
  exclude: z.array(folderName).optional(),
  includeHidden: z.boolean().default(false),
  followSymlinks: z.boolean().default(false),
  /** Which folder level below a root names the person: 1 for root/user, 2 for root/team/user. */
  personDepth: z.number().int().min(1).max(32).default(1),
});

export const scanProblem = z.object({
  path: z.string(),
  kind: z.enum(['csv', 'notebook', 'dir']),
  /** `reason: detail`, the reason one of empty, not-utf8, not-json, not-notebook, too-large,
   * unreadable, vanished, broken-symlink, symlink-loop. */
  error: z.string(),
});

export const scanOutput = z.object({
  scanId: z.number().int(),
  target: storeTarget,
  roots: z.array(z.string()),
  /** .csv and .ipynb files seen, counted or not. */
  files: z.number().int(),
  csvFiles: z.number().int(),
  notebooks: z.number().int(),
  bytes: z.number(),
  csvRows: z.number().int(),
  codeCells: z.number().int(),
  /** Rows recorded with an error (files and folders). */
  errors: z.number().int(),
  /** Files whose counts were taken over from the previous scan unchanged. */
  reused: z.number().int(),
  durationMs: z.number(),
  /** The first 100 problems; every one is in ds_stats. */
  problems: z.array(scanProblem),
  /** The persons credited with at least one file, sorted: the folder names at `personDepth`
   * (`(root)` for files above that depth). */
  people: z.array(z.string()),
});

export const scanProgress = z.object({
  files: z.number().int(),
  bytes: z.number(),
  errors: z.number().int(),
  reused: z.number().int(),
  currentPath: z.string(),
});

export const scan = defineOperation({
  summary: 'Scan team folders: CSV data rows and notebook code cells per person into ds_stats',
  input: scanInput,
  output: scanOutput,
  errors: ['SCAN_FAILED', 'STORE_FAILED', 'CANCELLED'],
  progress: scanProgress,
});

export type ScanInput = z.output<typeof scanInput>;
export type ScanOutput = z.output<typeof scanOutput>;
export type ScanProgressEvent = z.output<typeof scanProgress>;
