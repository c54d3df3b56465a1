import type Database from 'better-sqlite3';
import type { SqliteStore } from '../store/sqlite-store';
import { sqliteColumns } from '../store/table-columns';
import { dateOfDay } from '../scoring/as-of-day';
import {
  adoptOutputTable, MODEL_STATS_COLUMNS, OUTPUT_MIGRATION, outputMigrationKey, outputSchema,
} from './output-schema';
import type { RunKey } from './run-key';
import {
  type RunClaim, type RunState, type ScoreBatch, type ScoreSink, toRunState,
} from './score-sink';

/** Rows per INSERT statement: fewer statement runs, well under SQLite's parameter limit. */
const ROWS_PER_INSERT = 64;

/** Writes backfill scores into the local SQLite file, one transaction per batch. */
export class SqliteScoreSink implements ScoreSink {
  readonly table: string;
  private readonly db: Database.Database;

  constructor(private readonly store: SqliteStore) {
    this.db = store.db;
    this.table = store.tables.modelStats;
  }

  async prepare(): Promise<void> {
    await this.store.migrate();
    const key = outputMigrationKey(this.store.tables);
    const done = this.db.prepare(
      'SELECT 1 FROM schema_migrations WHERE profile = ? AND version = ?',
    ).get(key, OUTPUT_MIGRATION.version);
    if (done) return;
    this.db.transaction(() => {
      const t = this.store.tables;
      const existing = sqliteColumns(this.db, [t.modelStats]);
      for (const sql of adoptOutputTable(t, 'sqlite', existing, this.store.label)) {
        this.db.exec(sql);
      }
      for (const sql of outputSchema(t, 'sqlite')) this.db.exec(sql);
      this.db.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?, ?)')
        .run(key, OUTPUT_MIGRATION.version, OUTPUT_MIGRATION.name, new Date().toISOString());
    })();
  }

  /**
   * Nothing to take: in one process the engine queues every job that writes to SQLite. Two
   * processes backfilling the same run into one file are not kept apart (docs/backfill.md).
   */
  async claimRun(): Promise<RunClaim> {
    return { check: () => undefined, release: async () => undefined };
  }

  /** Nothing to wait for: one process writes the file at a time (see claimRun). */
  async enterPresentation(): Promise<void> {}

  async readRun(key: RunKey): Promise<RunState | undefined> {
    const r = this.db.prepare(`SELECT * FROM backfill_runs
      WHERE model = ? AND profile = ? AND scope = ?`).get(key.model, key.profile, key.scope) as
      Record<string, unknown> | undefined;
    return r ? toRunState(r) : undefined;
  }

  async startRun(key: RunKey, enrolmentsTotal: number): Promise<void> {
    const now = new Date().toISOString();
    this.db.prepare(`INSERT INTO backfill_runs (model, profile, scope, output_table, status,
        cursor_presentation, cursor_student, enrolments_done, enrolments_total, rows_done,
        started_at, updated_at, finished_at)
      VALUES (?, ?, ?, ?, 'running', NULL, NULL, 0, ?, 0, ?, ?, NULL)
      ON CONFLICT (model, profile, scope) DO UPDATE SET output_table = excluded.output_table,
        status = 'running', cursor_presentation = NULL, cursor_student = NULL,
        enrolments_done = 0, enrolments_total = excluded.enrolments_total, rows_done = 0,
        started_at = excluded.started_at, updated_at = excluded.updated_at, finished_at = NULL`)
      .run(key.model, key.profile, key.scope, this.table, enrolmentsTotal, now, now);
  }

  async writeBatch(
    key: RunKey,
    batch: ScoreBatch,
    after: { presentation: string; student: number; enrolmentsDone: number; rowsDone: number },
  ): Promise<void> {
    const db = this.db;
    const width = MODEL_STATS_COLUMNS.length;
    const insert = (n: number) => db.prepare(`INSERT INTO ${this.table}
      (${MODEL_STATS_COLUMNS.join(', ')})
      VALUES ${Array.from({ length: n }, () => `(${'?, '.repeat(width - 1)}?)`).join(', ')}`);
    const full = insert(ROWS_PER_INSERT);
    const dayTimes = batch.days.map((d) => `${dateOfDay(batch.startDate, d)} 00:00:00`);
    const ids = JSON.stringify(batch.students);

    db.transaction(() => {
      db.prepare(`DELETE FROM ${this.table} WHERE model_info = ? AND presentation = ?
        AND id_user IN (SELECT value FROM json_each(?))`).run(batch.model, batch.presentation, ids);

      const params: unknown[] = [];
      let pending = 0;
      const flush = () => {
        (pending === ROWS_PER_INSERT ? full : insert(pending)).run(params);
        params.length = 0;
        pending = 0;
      };
      let i = 0;
      for (const student of batch.students) {
        for (let k = 0; k < batch.days.length; k++, i++) {
          params.push(batch.createdAt, batch.metric, batch.model, student, batch.values[i],
            batch.days[k], batch.sqlMsPerRow, batch.modelMsPerRow, batch.presentation,
            dayTimes[k]);
          if (++pending === ROWS_PER_INSERT) flush();
        }
      }
      if (pending > 0) flush();

      db.prepare(`UPDATE backfill_runs SET cursor_presentation = ?, cursor_student = ?,
          enrolments_done = ?, rows_done = ?, updated_at = ?
        WHERE model = ? AND profile = ? AND scope = ?`).run(after.presentation, after.student,
        after.enrolmentsDone, after.rowsDone, new Date().toISOString(), key.model, key.profile,
        key.scope);
    })();
  }

  async finishRun(key: RunKey): Promise<void> {
    const now = new Date().toISOString();
    this.db.prepare(`UPDATE backfill_runs SET status = 'done', updated_at = ?, finished_at = ?
      WHERE model = ? AND profile = ? AND scope = ?`).run(now, now, key.model, key.profile,
      key.scope);
  }
}
