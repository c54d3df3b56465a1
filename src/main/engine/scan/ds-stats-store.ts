import { AppError } from '../../../shared/errors';
import type { FileKind } from './walk';

/**
 * Where scan results go: `ds_scans` (one row per scan) and `ds_stats` (one row per file per
 * scan), the tables Grafana charts through the `ds_stats_grafana` view, as the old grafana.py's
 * `ds_stats` table was. Two implementations share this interface: SQLite (ds-stats-sqlite.ts)
 * and Postgres (ds-stats-pg.ts). The schema is documented in docs/scanner.md.
 */

/** Table and view names are fixed constants: they are spliced into SQL, never taken as input. */
export const DS_SCANS = 'ds_scans';
export const DS_STATS = 'ds_stats';
export const DS_STATS_GRAFANA = 'ds_stats_grafana';

/**
 * The scan tables' entry in `schema_migrations`, beside the learning tables' and the
 * backfill's. Version 1 is written with IF NOT EXISTS, so a store whose tables predate the
 * record is adopted as it is. A later change to these tables is version 2, never an edit.
 */
export const DS_STATS_MIGRATION = {
  key: 'ds_stats', version: 1, name: 'ds_scans, ds_stats and the Grafana view',
} as const;

/** A row's kind: a counted file, or a folder that could not be listed or entered. */
export type RowKind = FileKind | 'dir';

export type ScanStatus = 'running' | 'finished' | 'cancelled' | 'failed';

export interface DsStatsRow {
  root: string;
  /** Relative to root, `/`-separated. */
  path: string;
  person: string;
  kind: RowKind;
  bytes: number | null;
  /** CSV data rows; null for notebooks and for files with an error. */
  dataRows: number | null;
  /** Notebook code cells; null for CSV files and for files with an error. */
  codeCells: number | null;
  /** `reason: detail` (see FileProblem); null when the file was counted. */
  error: string | null;
  mtimeMs: number | null;
  /** The count was taken over from the previous scan (size and mtime unchanged). */
  reused: boolean;
}

export interface ScanTotals {
  files: number;
  errors: number;
  reused: number;
  bytes: number;
}

export interface ScanRecord extends ScanTotals {
  id: number;
  started: Date;
  finished: Date | null;
  roots: string[];
  status: ScanStatus;
  counterVersion: number;
  durationS: number | null;
}

/** A file as the latest finished scan of its root saw it, for incremental reuse. */
export interface PreviousFile {
  bytes: number;
  mtimeMs: number;
  dataRows: number | null;
  codeCells: number | null;
  /** Start of the scan that counted it: mtimes this close to it are not trusted. */
  scanStartedMs: number;
}

/** A ds_stats row (path, bytes, mtime_ms, data_rows, code_cells) as either database returns it. */
export function toPreviousFile(r: Record<string, unknown>, scanStartedMs: number): PreviousFile {
  return {
    bytes: Number(r.bytes), mtimeMs: Number(r.mtime_ms), scanStartedMs,
    dataRows: r.data_rows === null ? null : Number(r.data_rows),
    codeCells: r.code_cells === null ? null : Number(r.code_cells),
  };
}

/** One person × kind group of the latest scan, for the metrics endpoint. */
export interface ScanGroup {
  person: string;
  kind: RowKind;
  files: number;
  errors: number;
  bytes: number;
  dataRows: number;
  codeCells: number;
}

export interface LatestScan {
  scan: ScanRecord;
  groups: ScanGroup[];
}

export interface DsStatsStore {
  readonly target: 'sqlite' | 'postgres';
  /** Applies DS_STATS_MIGRATION once per database; safe to call on every run. */
  migrate(): Promise<void>;
  /** Records a running scan and returns its id. */
  beginScan(started: Date, roots: string[], counterVersion: number): Promise<number>;
  /** Files of `root` in its latest finished scan by the same counter version, by path. */
  previousFiles(root: string, counterVersion: number): Promise<Map<string, PreviousFile>>;
  /** Writes one batch: one transaction (SQLite) or one COPY (Postgres). */
  insertRows(scanId: number, scannedAt: Date, rows: readonly DsStatsRow[]): Promise<void>;
  finishScan(scanId: number, end: ScanEnd): Promise<void>;
  /** The latest finished scan with its per person × kind totals, if any. */
  latestScan(): Promise<LatestScan | undefined>;
  /** Every row of one scan, ordered by root and path. */
  scanRows(scanId: number): Promise<DsStatsRow[]>;
}

export interface ScanEnd {
  finished: Date;
  status: ScanStatus;
  totals: ScanTotals;
  durationS: number;
}

/** Column order shared by both stores' inserts. */
export const ROW_COLUMNS = [
  'scan_id', 'scanned_at', 'root', 'path', 'person', 'kind', 'bytes', 'data_rows',
  'code_cells', 'error', 'mtime', 'mtime_ms', 'reused',
] as const;

/**
 * The columns each scan table must have when it already exists (the old grafana.py kept a
 * `ds_stats` table of its own; see requireColumns).
 */
export const SCAN_TABLE_COLUMNS: Record<string, readonly string[]> = {
  [DS_SCANS]: ['id', 'started', 'finished', 'roots', 'status', 'counter_version', 'files',
    'errors', 'reused', 'bytes', 'duration_s'],
  [DS_STATS]: ROW_COLUMNS,
};

/** A store failure as STORE_FAILED, with the operation but never a connection string. */
export function storeFailed(what: string, error: unknown): AppError {
  if (error instanceof AppError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new AppError('STORE_FAILED', `ds_stats: ${what} failed: ${message}`, { what });
}

/** Runs a store step, turning any failure into STORE_FAILED. */
export async function storeStep<T>(what: string, step: () => T | Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw storeFailed(what, error);
  }
}

/** Numbers from a driver (Postgres BIGINT arrives as a string) as numbers or null. */
export function num(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'number' ? value : Number(value);
}

export function rowFromDb(r: Record<string, unknown>): DsStatsRow {
  return {
    root: String(r.root),
    path: String(r.path),
    person: String(r.person),
    kind: String(r.kind) as RowKind,
    bytes: num(r.bytes),
    dataRows: num(r.data_rows),
    codeCells: num(r.code_cells),
    error: r.error === null || r.error === undefined ? null : String(r.error),
    mtimeMs: num(r.mtime_ms),
    reused: r.reused === true || r.reused === 1,
  };
}

export function scanFromDb(r: Record<string, unknown>): ScanRecord {
  const roots = typeof r.roots === 'string' ? (JSON.parse(r.roots) as string[]) : r.roots;
  return {
    id: Number(r.id),
    started: new Date(r.started as string | Date),
    finished: r.finished ? new Date(r.finished as string | Date) : null,
    roots: roots as string[],
    status: String(r.status) as ScanStatus,
    counterVersion: Number(r.counter_version),
    files: Number(r.files),
    errors: Number(r.errors),
    reused: Number(r.reused),
    bytes: Number(r.bytes),
    durationS: num(r.duration_s),
  };
}

export function groupFromDb(r: Record<string, unknown>): ScanGroup {
  return {
    person: String(r.person),
    kind: String(r.kind) as RowKind,
    files: Number(r.files),
    errors: Number(r.errors),
    bytes: Number(r.bytes ?? 0),
    dataRows: Number(r.data_rows ?? 0),
    codeCells: Number(r.code_cells ?? 0),
  };
}

/** The aggregate the metrics read: one line per person × kind of a scan. */
export const GROUP_SELECT = `SELECT person, kind, COUNT(*) AS files,
    SUM(CASE WHEN error IS NULL THEN 0 ELSE 1 END) AS errors,
    COALESCE(SUM(bytes), 0) AS bytes, COALESCE(SUM(data_rows), 0) AS data_rows,
    COALESCE(SUM(code_cells), 0) AS code_cells
  FROM ${DS_STATS}`;
