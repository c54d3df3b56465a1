import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MIGRATIONS_TABLE } from '../store/migrations';
import { pgColumns, requireColumns } from '../store/table-columns';
import {
  DS_SCANS, DS_STATS, DS_STATS_GRAFANA, DS_STATS_MIGRATION, GROUP_SELECT, ROW_COLUMNS, groupFromDb,
  rowFromDb, SCAN_TABLE_COLUMNS,
  scanFromDb, storeStep, type DsStatsRow, type DsStatsStore, type LatestScan, type PreviousFile,
  type ScanEnd, toPreviousFile,
} from './ds-stats-store';

/** A pool (a client is checked out per call) or one client the caller owns. */
export type PgHandle = pg.Pool | pg.Client | pg.PoolClient;

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS ${DS_SCANS} (
    id BIGSERIAL PRIMARY KEY,
    started TIMESTAMPTZ NOT NULL,
    finished TIMESTAMPTZ,
    roots JSONB NOT NULL,
    status TEXT NOT NULL,
    counter_version INTEGER NOT NULL,
    files INTEGER NOT NULL DEFAULT 0,
    errors INTEGER NOT NULL DEFAULT 0,
    reused INTEGER NOT NULL DEFAULT 0,
    bytes BIGINT NOT NULL DEFAULT 0,
    duration_s DOUBLE PRECISION
  )`,
  `CREATE TABLE IF NOT EXISTS ${DS_STATS} (
    scan_id BIGINT NOT NULL REFERENCES ${DS_SCANS}(id) ON DELETE CASCADE,
    scanned_at TIMESTAMPTZ NOT NULL,
    root TEXT NOT NULL,
    path TEXT NOT NULL,
    person TEXT NOT NULL,
    kind TEXT NOT NULL,
    bytes BIGINT,
    data_rows BIGINT,
    code_cells INTEGER,
    error TEXT,
    mtime TIMESTAMPTZ,
    mtime_ms DOUBLE PRECISION,
    reused BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (scan_id, root, path)
  )`,
  `CREATE INDEX IF NOT EXISTS ${DS_STATS}_root_scan ON ${DS_STATS} (root, scan_id)`,
  `CREATE OR REPLACE VIEW ${DS_STATS_GRAFANA} AS
    SELECT scanned_at AS "time", scan_id, person, kind, path, bytes, data_rows, code_cells,
      (error IS NOT NULL)::int AS failed, error, reused
    FROM ${DS_STATS}`,
];

/** Any fixed 64-bit number: serialises concurrent migrations of ds_stats across processes. */
const MIGRATION_LOCK = 0x65647374; // "edst"

/**
 * One value in COPY text format: backslash, tab and line breaks escaped, NULL as \N. NUL cannot
 * be stored in Postgres text at all, so it is dropped rather than failing the whole batch.
 */
function copyValue(value: string | number | boolean | null): string {
  if (value === null) return '\\N';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'number') return String(value);
  return value.replace(/[\\\t\n\r\0]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '');
}

/** ds_stats in Postgres; batches are written with COPY FROM STDIN (pg-copy-streams). */
export class PgDsStatsStore implements DsStatsStore {
  readonly target = 'postgres' as const;

  constructor(private readonly handle: PgHandle) {}

  private async withClient<T>(work: (client: pg.ClientBase) => Promise<T>): Promise<T> {
    if (!(this.handle instanceof pg.Pool)) return work(this.handle);
    const client = await this.handle.connect();
    try {
      return await work(client);
    } finally {
      client.release();
    }
  }

  async migrate(): Promise<void> {
    await storeStep('migrate', () => this.withClient(async (client) => {
      await client.query('BEGIN');
      try {
        await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
        await client.query(MIGRATIONS_TABLE);
        const { key, version, name } = DS_STATS_MIGRATION;
        const done = await client.query(
          'SELECT 1 FROM schema_migrations WHERE profile = $1 AND version = $2', [key, version]);
        if (!done.rowCount) {
          requireColumns('the Postgres database', SCAN_TABLE_COLUMNS,
            await pgColumns(client, Object.keys(SCAN_TABLE_COLUMNS)));
          for (const sql of SCHEMA) await client.query(sql);
          await client.query('INSERT INTO schema_migrations VALUES ($1, $2, $3, $4)',
            [key, version, name, new Date().toISOString()]);
        }
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    }));
  }

  async beginScan(started: Date, roots: string[], counterVersion: number): Promise<number> {
    return storeStep('begin scan', async () => {
      const res = await this.handle.query(`INSERT INTO ${DS_SCANS}
          (started, roots, status, counter_version) VALUES ($1, $2, 'running', $3) RETURNING id`,
      [started, JSON.stringify(roots), counterVersion]);
      return Number(res.rows[0].id);
    });
  }

  async previousFiles(root: string, counterVersion: number): Promise<Map<string, PreviousFile>> {
    return storeStep('read previous scan', async () => {
      const last = await this.handle.query(`SELECT s.id, s.started FROM ${DS_SCANS} s
          WHERE s.id = (SELECT MAX(t.scan_id) FROM ${DS_STATS} t JOIN ${DS_SCANS} u
            ON u.id = t.scan_id WHERE t.root = $1 AND u.status = 'finished'
            AND u.counter_version = $2)`, [root, counterVersion]);
      const files = new Map<string, PreviousFile>();
      const scan = last.rows[0] as { id: string; started: Date } | undefined;
      if (!scan) return files;
      const rows = await this.handle.query(`SELECT path, bytes, data_rows, code_cells, mtime_ms
          FROM ${DS_STATS} WHERE scan_id = $1 AND root = $2 AND error IS NULL
            AND kind <> 'dir'`, [scan.id, root]);
      const scanStartedMs = scan.started.getTime();
      for (const r of rows.rows as Record<string, unknown>[]) {
        files.set(String(r.path), toPreviousFile(r, scanStartedMs));
      }
      return files;
    });
  }

  async insertRows(scanId: number, scannedAt: Date, rows: readonly DsStatsRow[]): Promise<void> {
    if (rows.length === 0) return;
    const at = scannedAt.toISOString();
    const lines = rows.map((r) => [
      scanId, at, r.root, r.path, r.person, r.kind, r.bytes, r.dataRows, r.codeCells, r.error,
      r.mtimeMs === null ? null : new Date(r.mtimeMs).toISOString(), r.mtimeMs, r.reused,
    ].map(copyValue).join('\t') + '\n');
    await storeStep('write rows', () => this.withClient(async (client) => {
      const copy = client.query(copyFrom(`COPY ${DS_STATS} (${ROW_COLUMNS.join(', ')})
        FROM STDIN`));
      await pipeline(Readable.from([lines.join('')]), copy);
    }));
  }

  async finishScan(scanId: number, end: ScanEnd): Promise<void> {
    const t = end.totals;
    await storeStep('finish scan', () => this.handle.query(`UPDATE ${DS_SCANS} SET
        finished = $1, status = $2, files = $3, errors = $4, reused = $5, bytes = $6,
        duration_s = $7 WHERE id = $8`,
    [end.finished, end.status, t.files, t.errors, t.reused, t.bytes, end.durationS, scanId]));
  }

  async latestScan(): Promise<LatestScan | undefined> {
    return storeStep('read latest scan', async () => {
      const scan = await this.handle.query(`SELECT * FROM ${DS_SCANS}
        WHERE status = 'finished' ORDER BY id DESC LIMIT 1`);
      const row = scan.rows[0] as Record<string, unknown> | undefined;
      if (!row) return undefined;
      const groups = await this.handle.query(`${GROUP_SELECT} WHERE scan_id = $1
        GROUP BY person, kind ORDER BY person, kind`, [row.id]);
      return { scan: scanFromDb(row), groups: groups.rows.map(groupFromDb) };
    });
  }

  async scanRows(scanId: number): Promise<DsStatsRow[]> {
    return storeStep('read scan rows', async () => (await this.handle.query(`SELECT *
      FROM ${DS_STATS} WHERE scan_id = $1 ORDER BY root, path`, [scanId])).rows.map(rowFromDb));
  }
}
