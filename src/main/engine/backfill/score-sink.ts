import type { BackfillCursor } from '../../../shared/contract/backfill';
import type { RunKey } from './run-key';

/** The scores of one batch: every enrolment of one presentation, on the same days. */
export interface ScoreBatch {
  model: string;
  metric: string;
  presentation: string;
  /** Calendar date of day 0, `YYYY-MM-DD`. */
  startDate: string;
  /** Enrolments of the batch, ascending; `values` holds days.length scores for each. */
  students: number[];
  days: number[];
  values: Float32Array;
  /** When the batch was scored (`data_create`), ISO 8601 in UTC. */
  createdAt: string;
  /** Each row's share of the batch's read time and model time, in ms (time_sql, time_model). */
  sqlMsPerRow: number;
  modelMsPerRow: number;
}

/** A claimed run: checked before each write, released when the run ends in any way. */
export interface RunClaim {
  /** Throws STORE_FAILED when the claim was lost (its connection ended): stop writing. */
  check(): void;
  release(): Promise<void>;
}

/** A run's progress record as it was last committed. */
export interface RunState {
  status: 'running' | 'done';
  cursor: BackfillCursor | null;
  rowsDone: number;
}

/** A `backfill_runs` row as either database returns it. */
export function toRunState(r: Record<string, unknown>): RunState {
  return {
    status: r.status === 'done' ? 'done' : 'running',
    cursor: r.cursor_presentation === null ? null : {
      presentation: String(r.cursor_presentation),
      student: Number(r.cursor_student),
      enrolmentsDone: Number(r.enrolments_done),
    },
    rowsDone: Number(r.rows_done),
  };
}

/**
 * Where a backfill writes: the output table and the run's progress record, in the same
 * database, so that one transaction covers a batch's rows and the progress that says they are
 * there. Implemented for SQLite and for Postgres.
 */
export interface ScoreSink {
  /** The output table, e.g. `model_stats_v4`. */
  readonly table: string;
  /** Creates or migrates the output tables. */
  prepare(): Promise<void>;
  /**
   * Claims the run for this process, or fails with BUSY when another connection holds it:
   * two writers of one run would move its cursor past each other's batches.
   */
  claimRun(key: RunKey, signal?: AbortSignal): Promise<RunClaim>;
  readRun(key: RunKey): Promise<RunState | undefined>;
  /** (Re)starts a run's record: status running, no cursor. */
  startRun(key: RunKey, enrolmentsTotal: number): Promise<void>;
  /** Called before the first batch of each presentation, in the run's order. */
  enterPresentation(model: string, presentation: string): Promise<void>;
  /**
   * In one transaction: delete the batch's enrolments' rows for this model, write the new
   * ones, and move the run's cursor to the batch's last enrolment.
   */
  writeBatch(key: RunKey, batch: ScoreBatch, after: BackfillCursor & { rowsDone: number }):
    Promise<void>;
  finishRun(key: RunKey): Promise<void>;
}
