import fs from 'node:fs/promises';
import path from 'node:path';
import { realpathSync } from 'node:fs';
import { AppError } from '../../../shared/errors';
import { log } from '../log';
import { countCsvFile } from './csv-count-file';
import type { DsStatsRow, DsStatsStore, PreviousFile, ScanTotals } from './ds-stats-store';
import { fsProblem } from './file-problem';
import { countNotebookFile } from './notebook-count';
import { personOf, walk, type WalkFile, type WalkOptions } from './walk';

/**
 * The scan job: roots → walk → count (or reuse) → ds_stats rows in batches. Takes an
 * AbortSignal and reports progress; a cancelled or failed scan is marked so in ds_scans and is
 * never used as the base of an incremental rescan.
 */

/**
 * Bump when a counting rule changes: counts taken by another version are never reused, so a
 * rescan after an upgrade recounts everything once.
 */
export const COUNTER_VERSION = 1;

/**
 * A file whose mtime is this close to (or after) the start of the scan that counted it may have
 * been written again within the same timestamp tick (1 s on some file systems) without a
 * visible change; its count is not reused. Git's "racily clean" rule, for the same reason.
 */
export const RACY_WINDOW_MS = 1000;

const BATCH_ROWS = 500;
const PROGRESS_EVERY_MS = 100;
/** Problems listed in the result; all of them are in ds_stats. */
const LISTED_PROBLEMS = 100;

export interface ScanProgress {
  files: number;
  bytes: number;
  errors: number;
  reused: number;
  currentPath: string;
}

export interface ScanOptions extends Omit<WalkOptions, 'signal'> {
  roots: string[];
  /** Which folder level below a root names the person (1: root/<person>/...). */
  personDepth?: number;
  signal?: AbortSignal;
  onProgress?: (event: ScanProgress) => void;
}

export interface ScanResult extends ScanTotals {
  scanId: number;
  roots: string[];
  csvFiles: number;
  notebooks: number;
  csvRows: number;
  codeCells: number;
  durationMs: number;
  problems: { path: string; kind: DsStatsRow['kind']; error: string }[];
  /** The persons credited with at least one file, sorted. */
  people: string[];
}

/** Each root as an absolute path; fails the whole operation if one cannot be scanned at all. */
async function checkRoots(roots: string[]): Promise<string[]> {
  const unique = [...new Set(roots.map((r) => path.resolve(r)))];
  for (const root of unique) {
    try {
      const dir = await fs.opendir(root);
      await dir.close();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      const why = code === 'ENOENT' ? 'does not exist' : code === 'ENOTDIR'
        ? 'is not a folder' : `cannot be read (${code})`;
      throw new AppError('SCAN_FAILED', `scan root ${root} ${why}`, { root, code });
    }
  }
  refuseOverlaps(unique);
  return unique;
}

/**
 * A folder inside another root (or the same folder reached through a link) would be counted
 * twice and credited to two people, doubling the dashboards: such roots are refused.
 */
function refuseOverlaps(roots: string[]): void {
  const real = roots.map((root) => ({ root, real: realpathSync(root) }));
  for (const a of real) {
    for (const b of real) {
      if (a === b) continue;
      if (a.real === b.real || a.real.startsWith(b.real + path.sep)) {
        throw new AppError('SCAN_FAILED', `scan roots overlap: ${a.root} is inside ${b.root}; `
          + 'give each folder once', { roots: [a.root, b.root] });
      }
    }
  }
}

/** The counts of an unchanged file, or undefined when it must be counted again. */
function reusable(file: WalkFile, previous: PreviousFile | undefined): PreviousFile | undefined {
  if (!previous || previous.bytes !== file.size || previous.mtimeMs !== file.mtimeMs) return;
  return file.mtimeMs < previous.scanStartedMs - RACY_WINDOW_MS ? previous : undefined;
}

type Counts = Pick<DsStatsRow, 'dataRows' | 'codeCells' | 'error'>;

async function countFile(file: WalkFile, signal?: AbortSignal): Promise<Counts> {
  try {
    if (file.kind === 'csv') {
      const csv = await countCsvFile(file.path, { signal, sizeHint: file.size });
      return { dataRows: csv.dataRows, codeCells: null, error: null };
    }
    const nb = await countNotebookFile(file.path, { signal, size: file.size });
    return { dataRows: null, codeCells: nb.codeCells, error: null };
  } catch (error) {
    if (error instanceof AppError) throw error; // CANCELLED: stop the scan, not just this file
    return { dataRows: null, codeCells: null, error: fsProblem(error).toText() };
  }
}

/** Runs one scan into `store` (already migrated) and returns its summary. */
export async function runScan(store: DsStatsStore, options: ScanOptions): Promise<ScanResult> {
  const { signal, onProgress } = options;
  const depth = options.personDepth ?? 1;
  const roots = await checkRoots(options.roots);
  const started = new Date();
  const clock = performance.now();
  const scanId = await store.beginScan(started, roots, COUNTER_VERSION);
  const result: ScanResult = {
    scanId, roots, files: 0, errors: 0, reused: 0, bytes: 0, csvFiles: 0, notebooks: 0,
    csvRows: 0, codeCells: 0, durationMs: 0, problems: [], people: [],
  };
  const people = new Set<string>();
  let batch: DsStatsRow[] = [];
  let lastProgress = 0;
  const progress = (currentPath: string, force = false): void => {
    const now = performance.now();
    if (!onProgress || (!force && now - lastProgress < PROGRESS_EVERY_MS)) return;
    lastProgress = now;
    const { files, bytes, errors, reused } = result;
    onProgress({ files, bytes, errors, reused, currentPath });
  };
  const add = async (row: DsStatsRow): Promise<void> => {
    tally(result, row);
    if (row.kind !== 'dir') people.add(row.person);
    batch.push(row);
    if (batch.length < BATCH_ROWS) return;
    await store.insertRows(scanId, started, batch);
    batch = [];
  };

  try {
    for (const root of roots) {
      const previous = await store.previousFiles(root, COUNTER_VERSION);
      for await (const entry of walk(root, { ...options, signal })) {
        if (signal?.aborted) throw new AppError('CANCELLED', 'scan cancelled');
        const person = personOf(entry.rel, depth);
        const base = { root, path: entry.rel, person, kind: entry.kind };
        if (entry.type === 'problem') {
          await add({ ...base, bytes: null, dataRows: null, codeCells: null, mtimeMs: null,
            error: entry.problem.toText(), reused: false });
          continue;
        }
        const kept = reusable(entry, previous.get(entry.rel));
        if (!kept) progress(entry.path);
        const counts = kept
          ? { dataRows: kept.dataRows, codeCells: kept.codeCells, error: null }
          : await countFile(entry, signal);
        await add({ ...base, bytes: entry.size, mtimeMs: entry.mtimeMs, reused: !!kept,
          dataRows: counts.dataRows, codeCells: counts.codeCells, error: counts.error });
        progress(entry.path);
      }
    }
    await store.insertRows(scanId, started, batch);
    result.durationMs = performance.now() - clock;
    result.people = [...people].sort();
    await store.finishScan(scanId, {
      finished: new Date(), status: 'finished', totals: result, durationS: result.durationMs / 1e3,
    });
    progress('', true);
    log.info('scan.finished', { scanId, roots, files: result.files, errors: result.errors,
      reused: result.reused, durationMs: Math.round(result.durationMs) });
    return result;
  } catch (error) {
    const cancelled = error instanceof AppError && error.code === 'CANCELLED';
    const status = cancelled ? 'cancelled' : 'failed';
    result.durationMs = performance.now() - clock;
    // Best effort: the scan row says how it ended; the original error is what the caller sees.
    await store.finishScan(scanId, {
      finished: new Date(), status, totals: result, durationS: result.durationMs / 1e3,
    }).catch(() => undefined);
    log.warn('scan.stopped', { scanId, status, files: result.files });
    throw error;
  }
}

function tally(result: ScanResult, row: DsStatsRow): void {
  if (row.kind !== 'dir') result.files++;
  if (row.reused) result.reused++;
  result.bytes += row.bytes ?? 0;
  if (row.kind === 'csv') result.csvFiles++;
  if (row.kind === 'notebook') result.notebooks++;
  result.csvRows += row.dataRows ?? 0;
  result.codeCells += row.codeCells ?? 0;
  if (row.error === null) return;
  result.errors++;
  if (result.problems.length < LISTED_PROBLEMS) {
    result.problems.push({ path: path.join(row.root, row.path), kind: row.kind,
      error: row.error });
  }
}
