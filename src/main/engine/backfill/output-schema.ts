import type { Dialect } from '../store/schema';
import { requireColumns, type ColumnsPresent } from '../store/table-columns';
import { assertIdentifier, type TableSet } from '../store/tables';

/**
 * The backfill's own tables. `model_stats` keeps the columns Grafana already reads, exactly as
 * the old scripts created them (id … time_model), and adds what correctness needs:
 *
 * - `presentation`: a student id alone is not an enrolment (a student can take several);
 * - `day_time`: the calendar day scored (presentation start + day_num, 00:00), for Grafana's
 *   time axis;
 * - a unique key (model_info, presentation, id_user, day_num), so a rerun replaces a row and
 *   can never add a second one.
 *
 * `backfill_runs` holds one progress record per model, profile and scope; each batch updates it
 * in the transaction that writes the batch's rows.
 */
export function outputSchema(t: TableSet, dialect: Dialect): string[] {
  const pg = dialect === 'postgres';
  const key = assertIdentifier(`${t.modelStats}_key`, 'index');
  return [
    `CREATE TABLE IF NOT EXISTS ${t.modelStats} (
      id ${pg ? 'SERIAL PRIMARY KEY' : 'INTEGER PRIMARY KEY'},
      data_create ${pg ? 'TIMESTAMP' : 'TEXT'},
      metrika VARCHAR(30),
      model_info VARCHAR(200),
      id_user INTEGER,
      value REAL,
      day_num INTEGER,
      time_sql REAL,
      time_model REAL,
      presentation TEXT NOT NULL,
      day_time ${pg ? 'TIMESTAMP' : 'TEXT'} NOT NULL
    )`,
    `CREATE UNIQUE INDEX IF NOT EXISTS ${key}
      ON ${t.modelStats} (model_info, presentation, id_user, day_num)`,
    `CREATE TABLE IF NOT EXISTS backfill_runs (
      model TEXT NOT NULL,
      profile TEXT NOT NULL,
      scope TEXT NOT NULL,
      output_table TEXT NOT NULL,
      status TEXT NOT NULL,
      cursor_presentation TEXT,
      cursor_student INTEGER,
      enrolments_done INTEGER NOT NULL,
      enrolments_total INTEGER NOT NULL,
      rows_done BIGINT NOT NULL,
      started_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      finished_at TEXT,
      PRIMARY KEY (model, profile, scope)
    )`,
  ];
}

/** The columns of the old scripts' `model_stats`, which dashboards read. */
const OLD_COLUMNS = [
  'id', 'data_create', 'metrika', 'model_info', 'id_user', 'value', 'day_num', 'time_sql',
  'time_model',
] as const;

/**
 * Statements that bring an existing output table up to this schema before `outputSchema` runs
 * (whose `CREATE TABLE IF NOT EXISTS` would otherwise keep it as it is). A table the old scripts
 * made is adopted: the two new columns are added, nullable, because its rows have no
 * presentation. Those rows are kept as they were and a backfill never replaces them (its DELETE
 * matches a presentation; NULLs never collide in the unique key). A table of that name without
 * the old columns is refused. `tables` holds the columns of the output table if it exists.
 */
export function adoptOutputTable(
  t: TableSet,
  dialect: Dialect,
  tables: ColumnsPresent,
  label: string,
): string[] {
  const present = tables.get(t.modelStats);
  if (!present) return [];
  requireColumns(label, { [t.modelStats]: OLD_COLUMNS }, tables);
  const added = { presentation: 'TEXT', day_time: dialect === 'postgres' ? 'TIMESTAMP' : 'TEXT' };
  return Object.entries(added)
    .filter(([column]) => !present.has(column))
    .map(([column, type]) => `ALTER TABLE ${t.modelStats} ADD COLUMN ${column} ${type}`);
}

/** Recorded in `schema_migrations` under `backfill:<profile>`, apart from the learning tables. */
export const OUTPUT_MIGRATION = { version: 1, name: 'model_stats and backfill_runs' } as const;

export function outputMigrationKey(t: TableSet): string {
  return `backfill:${t.profile}`;
}

/** Column order of the rows a backfill writes (id is left to the database). */
export const MODEL_STATS_COLUMNS = [
  'data_create', 'metrika', 'model_info', 'id_user', 'value', 'day_num', 'time_sql',
  'time_model', 'presentation', 'day_time',
] as const;
