import type Database from 'better-sqlite3';
import type { CallContext } from '../../../shared/contract/index';
import type { ScanInput, ScanOutput, ScanProgressEvent } from '../../../shared/contract/scan';
import { AppError } from '../../../shared/errors';
import { PgDsStatsStore, type PgHandle } from './ds-stats-pg';
import { SqliteDsStatsStore } from './ds-stats-sqlite';
import type { DsStatsStore } from './ds-stats-store';
import { runScan } from './scan';

/** A better-sqlite3 handle, or anything holding one as `db` (SqliteStore does). */
export type SqliteHandle = Database.Database | { db: Database.Database };

/**
 * What the scan needs from the host: how to reach each store. Called lazily, so a scan to
 * SQLite never opens a Postgres connection. The host owns both handles and closes them.
 */
export interface ScanDeps {
  sqlite: () => SqliteHandle | Promise<SqliteHandle>;
  pg?: () => PgHandle | Promise<PgHandle>;
}

function isDatabase(handle: SqliteHandle): handle is Database.Database {
  return typeof (handle as Database.Database).prepare === 'function';
}

/** The ds_stats store of a target, migrated and ready. */
export async function dsStatsStoreFor(
  target: 'sqlite' | 'postgres',
  deps: ScanDeps,
): Promise<DsStatsStore> {
  let store: DsStatsStore;
  if (target === 'postgres') {
    if (!deps.pg) {
      throw new AppError('STORE_FAILED', 'no Postgres connection is configured for ds_stats', {
        target,
      });
    }
    store = new PgDsStatsStore(await deps.pg());
  } else {
    const handle = await deps.sqlite();
    store = new SqliteDsStatsStore(isDatabase(handle) ? handle : handle.db);
  }
  await store.migrate();
  return store;
}

/**
 * The `scan` operation: walks `input.roots`, counts CSV data rows and notebook code cells,
 * writes one ds_stats row per file into the target store, and returns the summary. Reuses the
 * counts of files unchanged since the previous scan of the same root.
 */
export async function scanOperation(
  input: ScanInput,
  ctx: CallContext<ScanProgressEvent>,
  deps: ScanDeps,
): Promise<ScanOutput> {
  const store = await dsStatsStoreFor(input.target, deps);
  const result = await runScan(store, {
    roots: input.roots,
    exclude: input.exclude,
    includeHidden: input.includeHidden,
    followSymlinks: input.followSymlinks,
    personDepth: input.personDepth,
    signal: ctx.signal,
    onProgress: ctx.onProgress,
  });
  return { ...result, target: input.target };
}
