import type Database from 'better-sqlite3';
import { MIGRATIONS_TABLE } from '../store/migrations';
import { sqliteColumns, requireColumns } from '../store/table-columns';
import {
  DS_SCANS, DS_STATS, DS_STATS_GRAFANA, DS_STATS_MIGRATION, GROUP_SELECT, ROW_COLUMNS, groupFromDb,
  rowFromDb, SCAN_TABLE_COLUMNS,
  scanFromDb, storeStep, type DsStatsRow, type DsStatsStore, type LatestScan, type PreviousFile,
  type ScanEnd, toPreviousFile,
} from './ds-stats-store';

type Row = Record<string, unknown>;

/**
 * ds_stats in SQLite. Times are ISO-8601 UTC text (what Grafana's SQLite data source reads);
 * mtime_ms is REAL, an exact copy of the double Node reports, so the incremental check can
 * compare it for equality.
 */
const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS ${DS_SCANS} (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started TEXT NOT NULL,
    finished TEXT,
    roots TEXT NOT NULL,
    status TEXT NOT NULL,
    counter_version INTEGER NOT NULL,
    files INTEGER NOT NULL DEFAULT 0,
    errors INTEGER NOT NULL DEFAULT 0,
    reused INTEGER NOT NULL DEFAULT 0,
    bytes INTEGER NOT NULL DEFAULT 0,
    duration_s REAL
  )`,
  `CREATE TABLE IF NOT EXISTS ${DS_STATS} (
    scan_id INTEGER NOT NULL REFERENCES ${DS_SCANS}(id) ON DELETE CASCADE,
    scanned_at TEXT NOT NULL,
    root TEXT NOT NULL,
    path TEXT NOT NULL,
    person TEXT NOT NULL,
    kind TEXT NOT NULL,
    bytes INTEGER,
    data_rows INTEGER,
    code_cells INTEGER,
    error TEXT,
    mtime TEXT,
    mtime_ms REAL,
    reused INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (scan_id, root, path)
  )`,
  `CREATE INDEX IF NOT EXISTS ${DS_STATS}_root_scan ON ${DS_STATS} (root, scan_id)`,
  `CREATE VIEW IF NOT EXISTS ${DS_STATS_GRAFANA} AS
    SELECT scanned_at AS time, scan_id, person, kind, path, bytes, data_rows, code_cells,
      CASE WHEN error IS NULL THEN 0 ELSE 1 END AS failed, error, reused
    FROM ${DS_STATS}`,
];

export class SqliteDsStatsStore implements DsStatsStore {
  readonly target = 'sqlite' as const;

  /** Takes the better-sqlite3 handle (SqliteStore's `db`) the rest of the app uses. */
  constructor(private readonly db: Database.Database) {}

  async migrate(): Promise<void> {
    const { key, version, name } = DS_STATS_MIGRATION;
    await storeStep('migrate', () => this.db.transaction(() => {
      this.db.exec(MIGRATIONS_TABLE);
      if (this.db.prepare('SELECT 1 FROM schema_migrations WHERE profile = ? AND version = ?')
        .get(key, version)) return;
      requireColumns(`the SQLite store ${this.db.name}`, SCAN_TABLE_COLUMNS,
        sqliteColumns(this.db, Object.keys(SCAN_TABLE_COLUMNS)));
      for (const sql of SCHEMA) this.db.exec(sql);
      this.db.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?, ?)')
        .run(key, version, name, new Date().toISOString());
    })());
  }

  async beginScan(started: Date, roots: string[], counterVersion: number): Promise<number> {
    return storeStep('begin scan', () => Number(this.db.prepare(`INSERT INTO ${DS_SCANS}
        (started, roots, status, counter_version) VALUES (?, ?, 'running', ?)`)
      .run(started.toISOString(), JSON.stringify(roots), counterVersion).lastInsertRowid));
  }

  async previousFiles(root: string, counterVersion: number): Promise<Map<string, PreviousFile>> {
    return storeStep('read previous scan', () => {
      const last = this.db.prepare(`SELECT s.id, s.started FROM ${DS_SCANS} s
          WHERE s.status = 'finished' AND s.counter_version = ?
            AND s.id = (SELECT MAX(t.scan_id) FROM ${DS_STATS} t JOIN ${DS_SCANS} u
              ON u.id = t.scan_id WHERE t.root = ? AND u.status = 'finished'
              AND u.counter_version = ?)`)
        .get(counterVersion, root, counterVersion) as { id: number; started: string } | undefined;
      const files = new Map<string, PreviousFile>();
      if (!last) return files;
      const scanStartedMs = Date.parse(last.started);
      const rows = this.db.prepare(`SELECT path, bytes, data_rows, code_cells, mtime_ms
          FROM ${DS_STATS} WHERE scan_id = ? AND root = ? AND error IS NULL AND kind <> 'dir'`)
        .all(last.id, root) as Row[];
      for (const r of rows) {
        files.set(String(r.path), toPreviousFile(r, scanStartedMs));
      }
      return files;
    });
  }

  async insertRows(scanId: number, scannedAt: Date, rows: readonly DsStatsRow[]): Promise<void> {
    if (rows.length === 0) return;
    const at = scannedAt.toISOString();
    await storeStep('write rows', () => {
      const insert = this.db.prepare(`INSERT INTO ${DS_STATS} (${ROW_COLUMNS.join(', ')})
        VALUES (${ROW_COLUMNS.map(() => '?').join(', ')})`);
      this.db.transaction(() => {
        for (const r of rows) {
          insert.run(scanId, at, r.root, r.path, r.person, r.kind, r.bytes, r.dataRows,
            r.codeCells, r.error, r.mtimeMs === null ? null : new Date(r.mtimeMs).toISOString(),
            r.mtimeMs, r.reused ? 1 : 0);
        }
      })();
    });
  }

  async finishScan(scanId: number, end: ScanEnd): Promise<void> {
    const t = end.totals;
    await storeStep('finish scan', () => this.db.prepare(`UPDATE ${DS_SCANS} SET finished = ?,
        status = ?, files = ?, errors = ?, reused = ?, bytes = ?, duration_s = ? WHERE id = ?`)
      .run(end.finished.toISOString(), end.status, t.files, t.errors, t.reused, t.bytes,
        end.durationS, scanId));
  }

  async latestScan(): Promise<LatestScan | undefined> {
    return storeStep('read latest scan', () => {
      const scan = this.db.prepare(`SELECT * FROM ${DS_SCANS} WHERE status = 'finished'
        ORDER BY id DESC LIMIT 1`).get() as Row | undefined;
      if (!scan) return undefined;
      const groups = this.db.prepare(`${GROUP_SELECT} WHERE scan_id = ?
        GROUP BY person, kind ORDER BY person, kind`).all(scan.id) as Row[];
      return { scan: scanFromDb(scan), groups: groups.map(groupFromDb) };
    });
  }

  async scanRows(scanId: number): Promise<DsStatsRow[]> {
    return storeStep('read scan rows', () => (this.db.prepare(`SELECT * FROM ${DS_STATS}
      WHERE scan_id = ? ORDER BY root, path`).all(scanId) as Row[]).map(rowFromDb));
  }
}
