import type { PoolClient } from 'pg';
import { copyInto, type PgStore } from '../store/pg-store';
import { pgColumns } from '../store/table-columns';
import { lockId, PgRunClaim } from './pg-run-claim';
import { modelStatsCopyBinary } from './copy-binary';
import {
  adoptOutputTable, MODEL_STATS_COLUMNS, OUTPUT_MIGRATION, outputMigrationKey, outputSchema,
} from './output-schema';
import type { RunKey } from './run-key';
import {
  type RunClaim, type RunState, type ScoreBatch, type ScoreSink, toRunState,
} from './score-sink';

/**
 * Writes backfill scores into Postgres: per batch one transaction holding a DELETE of the
 * batch's enrolments (by the unique key's leading columns), one COPY of the new rows and the
 * progress update. A rerun therefore replaces rows; a batch killed midway leaves nothing.
 */
export class PgScoreSink implements ScoreSink {
  readonly table: string;
  private claim?: PgRunClaim;
  /** The turn this run holds, and one to give back at the next write (enterPresentation). */
  private turn?: string;
  private ending?: string;

  constructor(private readonly store: PgStore) {
    this.table = store.tables.modelStats;
  }

  async prepare(): Promise<void> {
    await this.store.migrate();
    const key = outputMigrationKey(this.store.tables);
    await this.store.transaction(async (client) => {
      await client.query("SELECT pg_advisory_xact_lock(hashtext('edutech.migrate'))");
      const done = await client.query(
        'SELECT 1 FROM schema_migrations WHERE profile = $1 AND version = $2',
        [key, OUTPUT_MIGRATION.version]);
      if (done.rowCount) return;
      const t = this.store.tables;
      const existing = await pgColumns(client, [t.modelStats]);
      for (const sql of adoptOutputTable(t, 'postgres', existing, this.store.label)) {
        await client.query(sql);
      }
      for (const sql of outputSchema(t, 'postgres')) await client.query(sql);
      await client.query('INSERT INTO schema_migrations VALUES ($1, $2, $3, $4)',
        [key, OUTPUT_MIGRATION.version, OUTPUT_MIGRATION.name, new Date().toISOString()]);
    });
  }

  /** See PgRunClaim: the run's lock, and the connection that waits for each turn. */
  async claimRun(key: RunKey, signal?: AbortSignal): Promise<RunClaim> {
    this.claim = await PgRunClaim.claim(this.store, key, signal);
    return this.claim;
  }

  async readRun(key: RunKey): Promise<RunState | undefined> {
    const [r] = await this.store.query(`SELECT * FROM backfill_runs
      WHERE model = $1 AND profile = $2 AND scope = $3`, [key.model, key.profile, key.scope]);
    return r ? toRunState(r) : undefined;
  }

  async startRun(key: RunKey, enrolmentsTotal: number): Promise<void> {
    const now = new Date().toISOString();
    await this.store.query(`INSERT INTO backfill_runs (model, profile, scope, output_table,
        status, cursor_presentation, cursor_student, enrolments_done, enrolments_total,
        rows_done, started_at, updated_at, finished_at)
      VALUES ($1, $2, $3, $4, 'running', NULL, NULL, 0, $5, 0, $6, $6, NULL)
      ON CONFLICT (model, profile, scope) DO UPDATE SET output_table = excluded.output_table,
        status = 'running', cursor_presentation = NULL, cursor_student = NULL,
        enrolments_done = 0, enrolments_total = excluded.enrolments_total, rows_done = 0,
        started_at = excluded.started_at, updated_at = excluded.updated_at, finished_at = NULL`,
    [key.model, key.profile, key.scope, this.table, enrolmentsTotal, now]);
  }

  async writeBatch(
    key: RunKey,
    batch: ScoreBatch,
    after: { presentation: string; student: number; enrolmentsDone: number; rowsDone: number },
  ): Promise<void> {
    const chunks = modelStatsCopyBinary(batch);
    if (this.ending) {
      // Queued on the claim's connection behind nothing the write waits for.
      void this.claim?.endTurn(this.ending);
      this.ending = undefined;
    }
    await this.store.transaction(async (client: PoolClient) => {
      await client.query(`DELETE FROM ${this.table} WHERE model_info = $1 AND presentation = $2
        AND id_user = ANY($3::int[])`, [batch.model, batch.presentation, batch.students]);
      await copyInto(client, this.table, MODEL_STATS_COLUMNS, chunks, 'binary');
      await client.query(`UPDATE backfill_runs SET cursor_presentation = $1, cursor_student = $2,
          enrolments_done = $3, rows_done = $4, updated_at = $5
        WHERE model = $6 AND profile = $7 AND scope = $8`, [after.presentation, after.student,
        after.enrolmentsDone, after.rowsDone, new Date().toISOString(), key.model, key.profile,
        key.scope]);
    });
  }

  /**
   * Runs of other scopes may rewrite the same enrolments' rows (weeks 5 and 10 of one
   * presentation): their delete-and-copy must not interleave, or the second copy meets the
   * first one's rows in the unique key. So a run holds a turn on each (model, presentation)
   * it writes. The turn is taken here, between batches, not in a write: a write's awaits each
   * wait behind the next batch's scoring on the main thread, and two more per batch cost
   * 10-15% of the rate. Runs go through presentations in the store's one order, so two runs
   * never wait for each other's turns in a circle.
   */
  async enterPresentation(model: string, presentation: string): Promise<void> {
    if (!this.claim) return;
    const lock = lockId('edutech.model_stats', this.table, model, presentation);
    await this.claim.takeTurn(lock);
    // The previous presentation's last write may still be in flight: its turn ends with the
    // next write, which starts only once that one has committed.
    if (this.turn) this.ending = this.turn;
    this.turn = lock;
  }

  async finishRun(key: RunKey): Promise<void> {
    const now = new Date().toISOString();
    await this.store.query(`UPDATE backfill_runs SET status = 'done', updated_at = $1,
      finished_at = $1 WHERE model = $2 AND profile = $3 AND scope = $4`,
    [now, key.model, key.profile, key.scope]);
  }
}
