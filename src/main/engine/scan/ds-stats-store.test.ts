import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type TestPostgres } from '../../../../test/helpers/pg';
import { PgDsStatsStore } from './ds-stats-pg';
import { SqliteDsStatsStore } from './ds-stats-sqlite';
import { AppError } from '../../../shared/errors';
import { DS_STATS_MIGRATION, type DsStatsRow, type DsStatsStore } from './ds-stats-store';

interface Backend {
  store: DsStatsStore;
  query(sql: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

let server: TestPostgres | undefined;

const backends: Record<string, () => Promise<Backend>> = {
  sqlite: async () => {
    const db = new Database(':memory:');
    return {
      store: new SqliteDsStatsStore(db),
      query: async (sql) => {
        const statement = db.prepare(sql);
        if (!statement.reader) statement.run();
        return statement.reader ? statement.all() as Record<string, unknown>[] : [];
      },
      close: async () => void db.close(),
    };
  },
  postgres: async () => {
    server ??= await startPostgres();
    const pool = new pg.Pool({ connectionString: server.url, max: 2 });
    // pool.end() does not wait for sockets to close; when the server stops under a closing
    // client the pool re-emits the error, which must not count as an unhandled failure.
    pool.on('error', () => undefined);
    await pool.query('DROP VIEW IF EXISTS ds_stats_grafana; '
      + 'DROP TABLE IF EXISTS ds_stats, ds_scans, schema_migrations');
    return {
      store: new PgDsStatsStore(pool),
      query: async (sql) => (await pool.query(sql)).rows,
      close: () => pool.end(),
    };
  },
};

afterAll(async () => {
  await server?.stop();
});

/** Paths with every character COPY text format must escape, and a few it need not. */
const awkward = ['tab\there.csv', 'line\nbreak.csv', 'back\\slash.csv', 'crlf\r\n.csv',
  'ünïcødé 数据.csv', "quote'\"s.ipynb", ' 1. leading space.ipynb', 'NUL-free \\N.csv'];

function sampleRows(): DsStatsRow[] {
  const rows: DsStatsRow[] = awkward.map((name, k) => ({
    root: '/data/team', path: `user0${k % 3}/${name}`, person: `user0${k % 3}`,
    kind: name.endsWith('.csv') ? 'csv' : 'notebook', bytes: 1000 + k,
    dataRows: name.endsWith('.csv') ? k * 10 : null, codeCells: name.endsWith('.csv') ? null : k,
    error: null, mtimeMs: 1_700_000_000_123.456 + k, reused: k % 2 === 0,
  }));
  rows.push({ root: '/data/team', path: 'user01/broken.ipynb', person: 'user01',
    kind: 'notebook', bytes: 3, dataRows: null, codeCells: null, mtimeMs: 1_700_000_000_000,
    error: 'not-json: Unexpected end of JSON input', reused: false });
  rows.push({ root: '/data/team', path: 'user02/locked', person: 'user02', kind: 'dir',
    bytes: null, dataRows: null, codeCells: null, mtimeMs: null, reused: false,
    error: 'unreadable: EACCES scandir' });
  for (let k = 0; k < 1500; k++) {
    rows.push({ root: '/data/other', path: `u/${String(k).padStart(5, '0')}.csv`, person: 'u',
      kind: 'csv', bytes: 10, dataRows: 1, codeCells: null, error: null, mtimeMs: k,
      reused: false });
  }
  return rows;
}

const byKey = (a: DsStatsRow, b: DsStatsRow) =>
  (a.root + a.path < b.root + b.path ? -1 : a.root + a.path > b.root + b.path ? 1 : 0);

describe.each(Object.keys(backends))('ds_stats on %s', (name) => {
  let backend: Backend;

  beforeAll(async () => {
    backend = await backends[name]!();
    await backend.store.migrate();
    await backend.store.migrate(); // idempotent
  });

  afterAll(async () => backend?.close());

  it('round-trips rows and scans, and serves the Grafana view', async () => {
    const { store } = backend;
    const started = new Date('2024-05-01T10:00:00.000Z');
    const id = await store.beginScan(started, ['/data/team', '/data/other'], 1);
    const rows = sampleRows();
    await store.insertRows(id, started, rows.slice(0, 600));
    await store.insertRows(id, started, rows.slice(600));
    expect(await store.latestScan()).toBeUndefined(); // still running
    await store.finishScan(id, { finished: new Date('2024-05-01T10:00:02.500Z'),
      status: 'finished', totals: { files: rows.length - 1, errors: 2, reused: 4, bytes: 1 },
      durationS: 2.5 });

    expect((await store.scanRows(id)).sort(byKey)).toEqual(rows.sort(byKey));

    const latest = (await store.latestScan())!;
    expect(latest.scan).toMatchObject({ id, roots: ['/data/team', '/data/other'],
      status: 'finished', durationS: 2.5, errors: 2, counterVersion: 1 });
    expect(latest.scan.started.toISOString()).toBe(started.toISOString());
    expect(latest.groups.find((g) => g.person === 'u')).toEqual({ person: 'u', kind: 'csv',
      files: 1500, errors: 0, bytes: 15000, dataRows: 1500, codeCells: 0 });
    expect(latest.groups.find((g) => g.kind === 'dir')).toMatchObject({ errors: 1, files: 1 });

    const previous = await store.previousFiles('/data/team', 1);
    expect(previous.size).toBe(awkward.length); // errors are never reused
    expect(previous.get('user01/line\nbreak.csv')).toMatchObject({ bytes: 1001,
      mtimeMs: 1_700_000_000_124.456, dataRows: 10, scanStartedMs: started.getTime() });
    expect((await store.previousFiles('/data/team', 2)).size).toBe(0);

    const view = await backend.query('SELECT * FROM ds_stats_grafana ORDER BY path LIMIT 1');
    expect(Object.keys(view[0]!)).toEqual(expect.arrayContaining(['time', 'person', 'kind',
      'bytes', 'data_rows', 'code_cells', 'failed']));
    expect(new Date(view[0]!.time as string).toISOString()).toBe(started.toISOString());
  });

  it('records its migration once, and adopts tables made before the record', async () => {
    const recorded = "SELECT version, name FROM schema_migrations WHERE profile = 'ds_stats'";
    expect(await backend.query(recorded)).toEqual([
      { version: 1, name: DS_STATS_MIGRATION.name }]);
    // A store written by a version without the record: the tables and a scan, no row.
    await backend.query("DELETE FROM schema_migrations WHERE profile = 'ds_stats'");
    const scans = await backend.query('SELECT COUNT(*) AS n FROM ds_scans');
    expect(Number(scans[0]!.n)).toBeGreaterThan(0);
    await backend.store.migrate();
    expect(await backend.query(recorded)).toEqual([
      { version: 1, name: DS_STATS_MIGRATION.name }]);
    expect(await backend.query('SELECT COUNT(*) AS n FROM ds_scans')).toEqual(scans);
  });
});

describe.each(Object.keys(backends))('a foreign ds_stats on %s', (name) => {
  it('is refused with the table and what it lacks, and left as it was', async () => {
    const backend = await backends[name]!();
    try {
      // A table of the same name with other columns, as the old grafana.py could have left.
      await backend.query('CREATE TABLE ds_stats (id INTEGER, name TEXT, value INTEGER)');
      await backend.query("INSERT INTO ds_stats VALUES (1, 'user01', 42)");
      const error = await backend.store.migrate().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('STORE_FAILED');
      expect((error as AppError).message).toMatch(
        /table ds_stats lacks column\(s\) scan_id, scanned_at, root, path, .*not made by Edutech/);
      expect((error as AppError).details.missing).toContain('code_cells');
      expect(await backend.query('SELECT * FROM ds_stats')).toEqual(
        [{ id: 1, name: 'user01', value: 42 }]);
      // Nothing was created beside it: the migration rolled back whole.
      expect(await backend.query(name === 'sqlite'
        ? "SELECT name FROM sqlite_master WHERE name IN ('ds_scans', 'schema_migrations')"
        : "SELECT tablename FROM pg_tables WHERE tablename IN ('ds_scans', 'schema_migrations')"))
        .toEqual([]);
    } finally {
      await backend.query('DROP TABLE ds_stats');
      await backend.close();
    }
  });
});

const DASHBOARD = path.resolve(__dirname, '../../../../resources/grafana/ds-stats-dashboard.json');

/** Every rawSql of the shipped Grafana dashboard, with Grafana's macros filled in. */
function dashboardQueries(): string[] {
  const dashboard = JSON.parse(fs.readFileSync(DASHBOARD, 'utf8')) as {
    panels: { targets: { rawSql: string }[] }[];
    templating: { list: { query: string }[] };
  };
  return [
    ...dashboard.panels.flatMap((p) => p.targets.map((t) => t.rawSql)),
    ...dashboard.templating.list.map((v) => v.query),
  ].map((sql) => sql
    .replace(/\$__timeFilter\(("?\w+"?)\)/g, "$1 BETWEEN '2000-01-01' AND now()")
    .replace(/\$person/g, "'user01', 'u'"));
}

describe('the Grafana dashboard', () => {
  it('runs every query against the Postgres view and gets rows back', async () => {
    const backend = await backends.postgres!();
    try {
      await backend.store.migrate();
      const started = new Date();
      const id = await backend.store.beginScan(started, ['/data/team'], 1);
      await backend.store.insertRows(id, started, sampleRows());
      await backend.store.finishScan(id, { finished: new Date(), status: 'finished',
        totals: { files: 1, errors: 1, reused: 0, bytes: 1 }, durationS: 1 });
      for (const sql of dashboardQueries()) {
        expect((await backend.query(sql)).length, sql).toBeGreaterThan(0);
      }
    } finally {
      await backend.close();
    }
  });
});
