import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { AppError } from '../src/shared/errors';
import { importOulad } from '../src/main/engine/import/oulad';
import { SqliteStore } from '../src/main/engine/store/sqlite-store';
import { haveShared, OULAD_DIR } from './helpers/shared';

const present = haveShared();

/** Row counts as DATA.md states them, read from its table, not typed in here. */
function documentedCounts(): Record<string, number> {
  const text = fs.readFileSync(path.join(OULAD_DIR, 'DATA.md'), 'utf8');
  const counts: Record<string, number> = {};
  for (const m of text.matchAll(/^\| `([^`]+\.csv)` \| ([\d,]+) \|/gm)) {
    counts[m[1]!] = Number(m[2]!.replace(/,/g, ''));
  }
  return counts;
}

function tableCounts(store: SqliteStore): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of ['presentations', 'assessments', 'sites', 'enrolments', 'submissions',
    'activity']) {
    out[t] = (store.db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n;
  }
  return out;
}

function copyStore(): SqliteStore {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'edutech-imp-')), 'copy.db');
  fs.copyFileSync(inject('ouladDb'), file);
  return new SqliteStore(file);
}

describe.skipIf(!present)('OULAD import on the shared data', () => {
  let expected: Record<string, number>;
  beforeAll(() => {
    const doc = documentedCounts();
    const vle = Object.entries(doc).filter(([f]) => f.startsWith('studentVle_')
      && fs.existsSync(path.join(OULAD_DIR, f)));
    expected = {
      presentations: doc['courses.csv']!,
      assessments: doc['assessments.csv']!,
      sites: doc['vle.csv']!,
      enrolments: doc['studentInfo.csv']!,
      submissions: doc['studentAssessment.csv']!,
      activity: vle.reduce((sum, [, n]) => sum + n, 0),
    };
    expect(vle.length).toBe(3);
    expect(doc['studentRegistration.csv']).toBe(doc['studentInfo.csv']);
  });

  it('imports every table with the row counts DATA.md gives', () => {
    const store = new SqliteStore(inject('ouladDb'));
    expect(tableCounts(store)).toEqual(expected);
    // Empty source fields become NULL, as many as DATA.md counts.
    const nulls = (sql: string) => (store.db.prepare(sql).get() as { n: number }).n;
    expect(nulls('SELECT COUNT(*) n FROM enrolments WHERE unregistration_day IS NULL'))
      .toBe(22_521);
    expect(nulls('SELECT COUNT(*) n FROM enrolments WHERE registration_day IS NULL')).toBe(45);
    expect(nulls('SELECT COUNT(*) n FROM submissions WHERE score IS NULL')).toBe(173);
    expect(nulls('SELECT COUNT(*) n FROM enrolments WHERE imd_band IS NULL')).toBe(1_111);
    // Exact duplicate click rows are kept (DATA.md: 7,439 in AAA 2013J).
    expect(nulls(`SELECT COALESCE(SUM(c - 1), 0) n FROM (SELECT COUNT(*) c FROM activity
      WHERE presentation = 'AAA-2013J' GROUP BY student, site, day, clicks HAVING c > 1)`))
      .toBe(7_439);
    void store.close();
  });

  it('dates presentations by the B/J rule', async () => {
    const store = new SqliteStore(inject('ouladDb'));
    expect((await store.presentation('AAA-2013J'))?.startDate).toBe('2013-10-01');
    expect((await store.presentation('BBB-2013B'))?.startDate).toBe('2013-02-01');
    await store.close();
  });

  it('re-importing the same folder leaves the same counts', async () => {
    const store = copyStore();
    const summary = await importOulad(store, OULAD_DIR);
    expect(Object.fromEntries(summary.tables.map((t) => [t.table, t.rows]))).toEqual(expected);
    expect(tableCounts(store)).toEqual(expected);
    await store.close();
  });

  it('refuses a malformed row with file and line, leaving the store as it was', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'edutech-bad-'));
    for (const f of fs.readdirSync(OULAD_DIR).filter((f) => f.endsWith('.csv')
      && !f.startsWith('studentVle'))) {
      fs.copyFileSync(path.join(OULAD_DIR, f), path.join(folder, f));
    }
    // 100 real click rows, then a row with an unterminated quote on line 102.
    const rows = fs.readFileSync(path.join(OULAD_DIR, 'studentVle_AAA_2013J.csv'), 'utf8')
      .split('\r\n').slice(0, 101);
    rows.push('"AAA","2013J","28400","546652,"-10","4"', '"AAA","2013J","28400","546652","1","2"');
    fs.writeFileSync(path.join(folder, 'studentVle_broken.csv'), `${rows.join('\r\n')}\r\n`);

    const store = copyStore();
    const before = tableCounts(store);
    const failure = await importOulad(store, folder).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(AppError);
    expect((failure as AppError).code).toBe('IMPORT_FAILED');
    expect((failure as AppError).message).toMatch(/^studentVle_broken\.csv, line 10[23]/);
    expect(tableCounts(store)).toEqual(before);
    await store.close();
  });

  it('names a row with a non-integer field by file, line and column', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'edutech-bad-'));
    fs.writeFileSync(path.join(folder, 'courses.csv'),
      '"code_module","code_presentation","module_presentation_length"\r\n'
      + '"AAA","2013J","268"\r\n"AAA","2014J","26x"\r\n');
    const store = new SqliteStore(':memory:');
    await expect(importOulad(store, folder)).rejects.toThrow(
      /courses\.csv, line 3: module_presentation_length "26x" is not an integer/);
    expect(await store.isEmpty()).toBe(true);
  });
});
