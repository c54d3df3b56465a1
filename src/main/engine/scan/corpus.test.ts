import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../../test/helpers/cli';
import { CORPUS_DIR, haveShared } from '../../../../test/helpers/shared';
import { SqliteDsStatsStore } from './ds-stats-sqlite';
import type { DsStatsRow } from './ds-stats-store';
import { runScan, type ScanOptions, type ScanResult } from './scan';

/**
 * The scanner against the shared corpus: real notebooks and CSV files laid out as a team's
 * folders, with the expected counts in MANIFEST.json / MANIFEST.md (computed with Python's
 * json and csv modules, independently of this code).
 */

interface ManifestEntry {
  path: string;
  kind: string;
  size: number;
  hidden: boolean;
  in_checkpoints: boolean;
  nb?: { valid_json: boolean; code_cells: number | null };
  csv?: { data_rows: number };
}

const present = haveShared(CORPUS_DIR);
const TEAM = path.join(CORPUS_DIR, 'team');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edutech-corpus-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function scanCorpus(options: Omit<ScanOptions, 'roots'> & { roots?: string[] } = {}) {
  const store = new SqliteDsStatsStore(new Database(':memory:'));
  await store.migrate();
  const result = await runScan(store, { roots: [TEAM], ...options });
  return { result, rows: await store.scanRows(result.scanId) };
}

/** The totals MANIFEST.md states in prose, read from the text itself. */
function manifestTotals() {
  const md = fs.readFileSync(path.join(CORPUS_DIR, 'MANIFEST.md'), 'utf8');
  const grab = (re: RegExp) => {
    const m = re.exec(md);
    if (!m) throw new Error(`MANIFEST.md no longer states ${re}`);
    return m.slice(1).map(Number);
  };
  const [allNb, , allCells] = grab(
    /\.ipynb: all=(\d+), valid JSON=(\d+), total code cells.*= (\d+)/);
  const [nb, cells] = grab(/outside hidden folders and `\.ipynb_checkpoints`: (\d+) files, (\d+)/);
  const [allCsv, allRows, allBytes, csv, rows, bytes] = grab(new RegExp('every `\\*\\.csv` file'
    + '.*?: (\\d+) files, (\\d+) data rows, (\\d+) bytes; outside hidden folders: (\\d+) files, '
    + '(\\d+) data rows, (\\d+) bytes'));
  return { allNb, allCells, nb, cells, allCsv, allRows, allBytes, csv, rows, bytes };
}

function sums(rows: DsStatsRow[]) {
  const csv = rows.filter((r) => r.kind === 'csv');
  const nb = rows.filter((r) => r.kind === 'notebook');
  const add = (list: DsStatsRow[], pick: (r: DsStatsRow) => number | null) =>
    list.reduce((s, r) => s + (pick(r) ?? 0), 0);
  return {
    nb: nb.length, cells: add(nb, (r) => r.codeCells),
    csv: csv.length, rows: add(csv, (r) => r.dataRows), bytes: add(csv, (r) => r.bytes),
  };
}

describe.skipIf(!present)('scan of the shared corpus', () => {
  let manifest: ManifestEntry[];
  let defaults: { result: ScanResult; rows: DsStatsRow[] };
  let everything: { result: ScanResult; rows: DsStatsRow[] };

  beforeAll(async () => {
    manifest = JSON.parse(fs.readFileSync(path.join(CORPUS_DIR, 'MANIFEST.json'), 'utf8'));
    defaults = await scanCorpus();
    everything = await scanCorpus({ includeHidden: true, exclude: [] });
  });

  const counted = (e: ManifestEntry) => /\.(csv|ipynb)$/.test(e.path);
  const rel = (e: ManifestEntry) => e.path.replace(/^team\//, '');

  it('counts every file as the manifest expects, and records broken notebooks', () => {
    const byPath = new Map(everything.rows.map((r) => [r.path, r]));
    for (const e of manifest.filter(counted)) {
      const row = byPath.get(rel(e));
      expect(row, e.path).toBeDefined();
      expect(row!.bytes, e.path).toBe(e.size);
      if (e.nb?.valid_json) expect(row, e.path).toMatchObject({ codeCells: e.nb.code_cells,
        error: null });
      if (e.nb && !e.nb.valid_json) expect(row!.error, e.path).toMatch(/^(empty|not-json):/);
      if (e.csv) expect(row, e.path).toMatchObject({ dataRows: e.csv.data_rows, error: null });
    }
    expect(everything.rows.length).toBe(manifest.filter(counted).length);
  });

  it('leaves out hidden folders, checkpoints and other extensions by default', () => {
    const expected = manifest.filter((e) => counted(e) && !e.hidden && !e.in_checkpoints)
      .map(rel).sort();
    expect(defaults.rows.map((r) => r.path).sort()).toEqual(expected);
    expect(defaults.rows.some((r) => r.path.endsWith('.tsv') || r.path.endsWith('.yaml')))
      .toBe(false);
  });

  it('adds up to the totals in MANIFEST.md, with and without exclusions', () => {
    const t = manifestTotals();
    expect(sums(defaults.rows)).toEqual({ nb: t.nb, cells: t.cells, csv: t.csv, rows: t.rows,
      bytes: t.bytes });
    const all = sums(everything.rows);
    expect(all).toEqual({ nb: t.allNb, cells: t.allCells, csv: t.allCsv, rows: t.allRows,
      bytes: t.allBytes });
    expect(defaults.result).toMatchObject({ notebooks: t.nb, codeCells: t.cells,
      csvFiles: t.csv, csvRows: t.rows, errors: 2 });
    expect(everything.result.errors).toBe(3);
  });

  it('names people by the folder below the root, at depth 2 from the corpus folder', async () => {
    const people = new Set(defaults.rows.map((r) => r.person));
    expect([...people].sort()).toEqual(['user01', 'user02', 'user03', 'user04', 'user05',
      'user06']);
    expect(defaults.result.people).toEqual([...people].sort());
    const deeper = await scanCorpus({ roots: [CORPUS_DIR], personDepth: 2 });
    expect(deeper.rows.map((r) => r.person)).toEqual(defaults.rows.map((r) => r.person));
    expect(deeper.rows[0]!.path.startsWith('team/')).toBe(true);
    expect(deeper.result.people).toEqual(defaults.result.people);
  });

  it('says when every file went to one person, and which depth to try instead', () => {
    const r = runCli(['--db', path.join(tmp, 'scan.db'), 'scan', CORPUS_DIR]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('credited to 1 person: team (if people\'s folders lie one level '
      + 'deeper, scan again with --person-depth 2)');
    const deeper = runCli(['--db', path.join(tmp, 'scan.db'), 'scan', CORPUS_DIR,
      '--person-depth', '2']);
    expect(deeper.stdout).toContain('credited to 6 people: user01, user02, user03, user04, '
      + 'user05, user06\n');
  });
});
