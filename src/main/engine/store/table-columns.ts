import type Database from 'better-sqlite3';
import type { ClientBase } from 'pg';
import { AppError } from '../../../shared/errors';

/**
 * Migrations create tables with `CREATE TABLE IF NOT EXISTS`, so a table of the same name made by
 * something else (another application sharing the database, an older script) survives them and
 * every later query fails with the database's bare "no such column". Checked once, before a
 * store's pending migrations run, this turns that into one error that names the store, the
 * table and what it lacks.
 */

/** The columns each table must have, by table name. */
export type ColumnsNeeded = Readonly<Record<string, readonly string[]>>;

/** The column names of each table that exists, by table name; a missing table has no entry. */
export type ColumnsPresent = ReadonlyMap<string, ReadonlySet<string>>;

/** STORE_FAILED for the first existing table that lacks a needed column; absent tables pass. */
export function requireColumns(
  label: string,
  needed: ColumnsNeeded,
  present: ColumnsPresent,
): void {
  for (const [table, columns] of Object.entries(needed)) {
    const have = present.get(table);
    if (!have) continue;
    const missing = columns.filter((c) => !have.has(c));
    if (missing.length === 0) continue;
    throw new AppError('STORE_FAILED',
      `${label}: table ${table} lacks column(s) ${missing.join(', ')}; it was not made by `
      + 'Edutech Analyst, so it is left alone: rename or drop it, or point the app at another '
      + 'store',
      { table, missing });
  }
}

/** The columns of those of `tables` that exist in a SQLite file. */
export function sqliteColumns(db: Database.Database, tables: readonly string[]): ColumnsPresent {
  const present = new Map<string, Set<string>>();
  for (const table of tables) {
    const info = db.pragma(`table_info(${table})`) as { name: string }[];
    if (info.length > 0) present.set(table, new Set(info.map((c) => c.name)));
  }
  return present;
}

/**
 * The columns of those of `tables` that exist in the Postgres schema unqualified names resolve
 * to (where the migrations create their tables), in one query.
 */
export async function pgColumns(
  client: ClientBase,
  tables: readonly string[],
): Promise<ColumnsPresent> {
  const { rows } = await client.query<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = ANY($1::text[])`, [tables]);
  const present = new Map<string, Set<string>>();
  for (const { table_name: table, column_name: column } of rows) {
    present.set(table, (present.get(table) ?? new Set()).add(column));
  }
  return present;
}
