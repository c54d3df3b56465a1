import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { AppError } from '../src/shared/errors';
import { importOulad } from '../src/main/engine/import/oulad';
import { SqliteStore } from '../src/main/engine/store/sqlite-store';
import { BIN } from './helpers/cli';
import { haveShared, OULAD_DIR, readOuladCsv, writeOuladSubset } from './helpers/shared';

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
    expect((failure as AppError).message)
      .toMatch(/^studentVle_broken\.csv, line 102: Invalid Closing Quote/);
    expect(tableCounts(store)).toEqual(before);
    await store.close();
  });

  it('keeps the clicks of presentations a re-import has no click file for, and says so',
    async () => {
      // The six tables whole, clicks for AAA-2013J only.
      const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'edutech-part-'));
      for (const f of fs.readdirSync(OULAD_DIR).filter((f) => f.endsWith('.csv')
        && (!f.startsWith('studentVle') || f === 'studentVle_AAA_2013J.csv'))) {
        fs.symlinkSync(path.join(OULAD_DIR, f), path.join(folder, f));
      }
      const store = copyStore();
      const summary = await importOulad(store, folder);
      expect(tableCounts(store)).toEqual(expected);
      const clicksIn = (key: string) => (store.db.prepare(
        'SELECT COUNT(*) AS n FROM activity WHERE presentation = ?').get(key) as { n: number }).n;
      expect(summary.keptClicks).toEqual(['BBB-2013B', 'BBB-2013J'].map((presentation) => ({
        presentation, kept: clicksIn(presentation), dropped: 0 })));
      expect(summary.keptClicks.reduce((n, k) => n + k.kept, 0) + clicksIn('AAA-2013J'))
        .toBe(expected.activity);

      // BBB-2013B again, with only three of its students and no click file: the clicks of the
      // others lose their enrolment and go; the three keep theirs.
      const three = readOuladCsv('studentInfo.csv').filter((r) => r.code_module === 'BBB'
        && r.code_presentation === '2013B').slice(0, 3).map((r) => r.id_student!);
      const subset = writeOuladSubset(path.join(folder, 'bbb'), { module: 'BBB', code: '2013B',
        students: three });
      fs.rmSync(path.join(subset, 'studentVle_BBB_2013B.csv'));
      const before = clicksIn('BBB-2013B');
      const theirs = readOuladCsv('studentVle_BBB_2013B.csv')
        .filter((r) => three.includes(r.id_student!)).length;
      const again = await importOulad(store, subset);
      expect(theirs).toBeGreaterThan(0);
      expect(again.keptClicks).toEqual([{ presentation: 'BBB-2013B', kept: theirs,
        dropped: before - theirs }]);
      expect(clicksIn('BBB-2013B')).toBe(theirs);
      await store.close();
    });

  it('Ctrl+C mid-import ends as CANCELLED, saying so, and leaves the store as it was',
    async () => {
      const store = copyStore();
      const before = tableCounts(store);
      await store.close();
      // The first progress line comes after courses.csv: the import is then under way.
      const child = spawn(process.execPath, [BIN, '--db', store.file, 'import', 'oulad',
        OULAD_DIR]);
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        if (!stderr) child.kill('SIGINT');
        stderr += chunk.toString();
      });
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(stderr).toContain('error CANCELLED: import cancelled: the store is left as it was');
      expect(code).toBe(130);
      const after = new SqliteStore(store.file);
      expect(tableCounts(after)).toEqual(before);
      await after.close();
    });

  it('refuses an assessment id that a presentation outside the folder already holds', async () => {
    const dir = writeOuladSubset(fs.mkdtempSync(path.join(os.tmpdir(), 'edutech-ren-')),
      { module: 'AAA', code: '2014J', students: ['6516'] });
    for (const f of fs.readdirSync(dir)) {
      const file = path.join(dir, f);
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replaceAll('"AAA"', '"AAB"'));
    }
    const store = copyStore();
    const before = tableCounts(store);
    const first = readOuladCsv('assessments.csv').find((a) => a.code_module === 'AAA'
      && a.code_presentation === '2014J')!;
    await expect(importOulad(store, dir)).rejects.toThrow(`assessments.csv, line 2: assessment `
      + `${first.id_assessment} (AAB-2014J) already belongs to AAA-2014J in the store`);
    expect(tableCounts(store)).toEqual(before);
    await store.close();
  });

  describe('refuses values outside OULAD\'s lists and formats, naming file and line', () => {
    const small = () => writeOuladSubset(fs.mkdtempSync(path.join(os.tmpdir(), 'edutech-val-')),
      { module: 'AAA', code: '2013J', students: ['11391', '28400', '30268'], maxClickRows: 50 });
    const edit = (dir: string, file: string, fn: (text: string) => string) =>
      fs.writeFileSync(path.join(dir, file), fn(fs.readFileSync(path.join(dir, file), 'utf8')));
    const failure = async (dir: string) => {
      const store = new SqliteStore(':memory:');
      const error = await importOulad(store, dir).catch((e: unknown) => e);
      expect(await store.isEmpty()).toBe(true);
      expect((error as AppError).code).toBe('IMPORT_FAILED');
      return (error as AppError).message;
    };

    it('a final result, assessment type or education level not in the list', async () => {
      const a = small();
      edit(a, 'studentInfo.csv', (t) => t.replace(/"Pass"/, '"pass"'));
      expect(await failure(a)).toMatch(/^studentInfo\.csv, line \d: final_result "pass" is not one of "Pass", "Distinction", "Fail", "Withdrawn"$/);
      const b = small();
      edit(b, 'assessments.csv', (t) => t.replace(/"TMA"/, '""'));
      expect(await failure(b)).toBe('assessments.csv, line 2: assessment_type is empty; it must be one of '
        + '"TMA", "CMA", "Exam"');
      const c = small();
      edit(c, 'studentInfo.csv', (t) => t.replace(/"HE Qualification"|"A Level or Equivalent"|"Lower Than A Level"/, '"Doctorate"'));
      expect(await failure(c)).toMatch(/highest_education "Doctorate" is not one of/);
    });

    it('a column twice in a header', async () => {
      const dir = small();
      edit(dir, 'studentInfo.csv', (t) => t.replace(/\r\n/, ',"final_result"\r\n'));
      expect(await failure(dir)).toBe('studentInfo.csv, line 1: column(s) final_result appear '
        + 'more than once in the header');
    });

    it('module codes that cannot make a key, years before 1900, no enrolments', async () => {
      const a = small();
      for (const f of fs.readdirSync(a)) edit(a, f, (t) => t.replaceAll('"AAA"', '"A,A"'));
      expect(await failure(a)).toBe('courses.csv, line 2: code_module "A,A" is not 1 to 32 '
        + 'letters, digits or _');
      const b = small();
      for (const f of fs.readdirSync(b)) edit(b, f, (t) => t.replaceAll('"2013J"', '"0050J"'));
      expect(await failure(b)).toMatch(/^courses\.csv, line 2: presentation code "0050J" is not a year \(1900\.\.2999\)/);
      const c = small();
      for (const f of ['studentInfo.csv', 'studentRegistration.csv', 'studentAssessment.csv']) {
        edit(c, f, (t) => `${t.split('\r\n')[0]}\r\n`);
      }
      fs.rmSync(path.join(c, 'studentVle_AAA_2013J.csv'));
      expect(await failure(c)).toBe('studentInfo.csv has no enrolments: there would be no one '
        + 'to score');
    });

    it('text that is not UTF-8, or holds a NUL byte, which a store would keep altered',
      async () => {
        const latin1 = small();
        const info = path.join(latin1, 'studentInfo.csv');
        const bytes = fs.readFileSync(info);
        const at = bytes.indexOf('East Anglian Region');
        expect(at).toBeGreaterThan(0);
        bytes[at + 1] = 0xe9; // "E\xe9st": one Latin-1 byte in a UTF-8 file
        fs.writeFileSync(info, bytes);
        const line = bytes.subarray(0, at).toString('latin1').split('\r\n').length;
        expect(await failure(latin1)).toBe(`studentInfo.csv, line ${line}: region holds bytes `
          + 'that are not UTF-8 (save the file as UTF-8)');
        const nul = small();
        edit(nul, 'vle.csv', (t) => t.replace(/"resource"/, '"reso\u0000urce"'));
        expect(await failure(nul)).toMatch(/^vle\.csv, line \d+: activity_type holds a NUL byte$/);
      });

    it('a table saved as UTF-16 without its byte-order mark, named as such', async () => {
      const dir = small();
      const file = path.join(dir, 'courses.csv');
      const text = fs.readFileSync(file, 'utf8');
      fs.writeFileSync(file, Buffer.from(text, 'utf16le'));
      expect(await failure(dir)).toBe(`courses.csv: ${text.length} of its first `
        + `${2 * text.length} bytes are NUL: it looks like UTF-16 or UTF-32 text, or a binary `
        + 'file; save it as UTF-8 CSV');
      // With the mark, the parser reads UTF-16 LE as it is.
      fs.writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]),
        Buffer.from(text, 'utf16le')]));
      const store = new SqliteStore(':memory:');
      const summary = await importOulad(store, dir);
      expect(summary.tables.find((t) => t.table === 'presentations')!.rows).toBe(1);
      await store.close();
      // UTF-32 LE's mark begins with UTF-16 LE's (FF FE), then 00 00: refused, not misread.
      const utf32 = Buffer.alloc(4 * (text.length + 1));
      utf32.writeUInt32LE(0xfeff, 0);
      [...text].forEach((c, i) => utf32.writeUInt32LE(c.codePointAt(0)!, 4 * (i + 1)));
      fs.writeFileSync(file, utf32);
      expect(await failure(dir)).toMatch(/^courses\.csv: \d+ of its first \d+ bytes are NUL: /);
    });

    it('a registration of a student studentInfo.csv does not enrol', async () => {
      const dir = small();
      edit(dir, 'studentRegistration.csv', (t) => t.replace('"11391"', '"99999991"'));
      expect(await failure(dir)).toBe('studentRegistration.csv, line 2: student 99999991 is not '
        + 'enrolled in AAA-2013J (studentInfo.csv)');
    });

    it('a click file copied beside its original, which would count every click twice',
      async () => {
        const dir = small();
        fs.copyFileSync(path.join(dir, 'studentVle_AAA_2013J.csv'),
          path.join(dir, 'studentVle_AAA_2013J (1).csv'));
        expect(await failure(dir)).toBe('studentVle_AAA_2013J (1).csv and '
          + 'studentVle_AAA_2013J.csv hold the same bytes: importing both would count each of '
          + 'their clicks twice; remove one');
      });

    it('a dangling link or folders named like click files, named as such', async () => {
      const dir = small();
      fs.symlinkSync(path.join(dir, 'missing.csv'), path.join(dir, 'studentVle_x.csv'));
      expect(await failure(dir)).toBe(`studentVle_x.csv: a link to ${path.join(dir,
        'missing.csv')}, which cannot be read`);
      fs.rmSync(path.join(dir, 'studentVle_x.csv'));
      // Two of them: the duplicate-bytes check used to fail first, with a bare EISDIR.
      fs.mkdirSync(path.join(dir, 'studentVle_a.csv'));
      fs.mkdirSync(path.join(dir, 'studentVle_b.csv'));
      expect(await failure(dir)).toBe('studentVle_a.csv: not a regular file');
    });

    it('but reads a file whose line endings change halfway (CR LF, then LF)', async () => {
      const dir = small();
      edit(dir, 'studentVle_AAA_2013J.csv', (t) => {
        const lines = t.split('\r\n');
        return `${lines.slice(0, 20).join('\r\n')}\r\n${lines.slice(20).join('\n')}`;
      });
      const store = new SqliteStore(':memory:');
      const summary = await importOulad(store, dir);
      expect(summary.tables.find((t) => t.table === 'activity')!.rows)
        .toBe(readOuladCsv('studentVle_AAA_2013J.csv')
          .filter((r) => ['11391', '28400', '30268'].includes(r.id_student!)).slice(0, 50).length);
      await store.close();
    });
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
