import type Database from 'better-sqlite3';
import type { ClientBase } from 'pg';
import { AppError } from '../../../shared/errors';

/**
 * Migrations create tables with `CREATE TABLE IF NOT EXISTS`, so a table of the same name made by
 * something else (another application sharing the database, an older script) survives them and
 * every later query fails with the database's bare "no such column". This turns that into one
 * error at open time that names the store, the table and what it lacks.
 *
 * `present` holds the table's column names; an empty set means the table does not exist.
 */
export function requireColumns(
  label: string,
  table: string,
  present: ReadonlySet<string>,
  needed: readonly string[],
): void {
  if (present.size === 0) return;
  const missing = needed.filter((c) => !present.has(c));
  if (missing.length === 0) return;
  throw new AppError('STORE_FAILED',
    `${label}: table ${table} lacks column(s) ${missing.join(', ')}; it was not made by `
    + 'Edutech Analyst, so it is left alone: rename or drop it, or point the app at another store',
    { table, missing });
}

/** The column names of `table` in a SQLite file; empty when there is no such table. */
export function sqliteColumns(db: Database.Database, table: string): Set<string> {
  const info = db.pragma(`table_info(${table})`) as { name: string }[];
  return new Set(info.map((c) => c.name));
}

/**
 * The column names of `table` in the Postgres schema unqualified names resolve to (where the
 * migrations create their tables); empty when there is no such table.
 */
export async function pgColumns(client: ClientBase, table: string): Promise<Set<string>> {
  const { rows } = await client.query<{ column_name: string }>(`SELECT column_name
    FROM information_schema.columns
    WHERE table_schema = current_schema() AND table_name = $1`, [table]);
  return new Set(rows.map((r) => r.column_name));
}
