import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Engine } from '../src/main/engine/engine';
import { FEATURE_INDEX as F, FEATURE_COUNT } from '../src/main/engine/features/definitions';
import { computeTrajectory, featuresAsOf } from '../src/main/engine/features/trajectory';
import { SqliteStore } from '../src/main/engine/store/sqlite-store';
import { ERROR_CODES } from '../src/shared/errors';
import { runCli } from './helpers/cli';
import { copyOuladDb, MODELS_DIR, tempDir } from './helpers/http';
import { haveShared, readOuladCsv } from './helpers/shared';

const present = haveShared();

/**
 * Feature values for named students, computed here straight from the CSV files (not through the
 * store or the feature code) and compared with the app's features.
 */
function independent(presentation: string, student: number, day: number, vleFile: string) {
  const [module, code] = presentation.split('-') as [string, string];
  const clicks = readOuladCsv(vleFile).filter((r) => r.code_module === module
    && r.code_presentation === code && Number(r.id_student) === student
    && Number(r.date) <= day);
  const perDay = new Map<number, number>();
  for (const r of clicks) perDay.set(Number(r.date), (perDay.get(Number(r.date)) ?? 0)
    + Number(r.sum_click));
  const last7 = [...perDay].filter(([d]) => d > day - 7).reduce((s, [, c]) => s + c, 0);
  const lastDay = Math.max(...perDay.keys());

  const assessments = readOuladCsv('assessments.csv').filter((a) => a.code_module === module
    && a.code_presentation === code);
  const ids = new Set(assessments.map((a) => a.id_assessment));
  const submitted = readOuladCsv('studentAssessment.csv').filter((s) => ids.has(s.id_assessment)
    && Number(s.id_student) === student && Number(s.date_submitted) <= day);
  const scores = submitted.filter((s) => s.score !== '').map((s) => Number(s.score));
  const due = assessments.filter((a) => a.assessment_type !== 'Exam' && a.date !== ''
    && Number(a.date) <= day);

  return {
    clicks_total: clicks.reduce((s, r) => s + Number(r.sum_click), 0),
    active_days: perDay.size,
    clicks_last_7d: last7,
    days_since_last_click: day - lastDay,
    assessments_submitted: submitted.length,
    assessments_due: due.length,
    mean_score: scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : 0,
  };
}

describe.skipIf(!present)('features against an independent computation from the CSV', () => {
  let store: SqliteStore;
  beforeAll(() => {
    store = new SqliteStore(inject('ouladDb'));
  });

  const cases = [
    { presentation: 'AAA-2013J', student: 11391, day: 40, vle: 'studentVle_AAA_2013J.csv' },
    { presentation: 'BBB-2013B', student: 27891, day: 55, vle: 'studentVle_BBB_2013B.csv' },
  ];
  it.each(cases)('$presentation student $student as of day $day', async (c) => {
    const [data] = await store.enrolmentData(c.presentation, [c.student], c.day);
    const row = featuresAsOf(data!, c.day);
    const want = independent(c.presentation, c.student, c.day, c.vle);
    expect(want.clicks_total).toBeGreaterThan(0);
    for (const [name, value] of Object.entries(want)) {
      expect(row[F[name as keyof typeof F]], name).toBeCloseTo(value, 3);
    }
  });

  it('ranks a student among every enrolment of the presentation, from the CSV', async () => {
    const day = 40;
    const enrolled = readOuladCsv('studentInfo.csv').filter((r) => r.code_module === 'AAA'
      && r.code_presentation === '2013J').map((r) => Number(r.id_student));
    const activeDays = new Map<number, Set<number>>(enrolled.map((s) => [s, new Set()]));
    for (const r of readOuladCsv('studentVle_AAA_2013J.csv')) {
      if (Number(r.date) <= day) activeDays.get(Number(r.id_student))!.add(Number(r.date));
    }
    const counts = [...activeDays.values()].map((d) => d.size);
    const mine = activeDays.get(11391)!.size;
    const below = counts.filter((c) => c < mine).length;
    const equal = counts.filter((c) => c === mine).length;

    const [data] = await store.enrolmentData('AAA-2013J', [11391], day);
    const row = featuresAsOf(data!, day);
    expect(enrolled.length).toBe(383);
    expect(row[F.active_days_rank]).toBeCloseTo((below + equal / 2) / enrolled.length, 6);
  });

  it('a trajectory row equals the single-day computation for every day 0..69', async () => {
    const [data] = await store.enrolmentData('AAA-2013J', [11391], 69);
    const days = Array.from({ length: 70 }, (_, d) => d);
    const trajectory = computeTrajectory(data!, days);
    for (const d of days) {
      const [oneDay] = await store.enrolmentData('AAA-2013J', [11391], d);
      expect(Array.from(trajectory.subarray(d * FEATURE_COUNT, (d + 1) * FEATURE_COUNT)))
        .toEqual(Array.from(featuresAsOf(oneDay!, d)));
    }
  });

  it('deleting every row after day d leaves the features as of d unchanged', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'edutech-leak-')), 'l.db');
    fs.copyFileSync(inject('ouladDb'), file);
    const copy = new SqliteStore(file);
    const d = 30;
    const students = [11391, 28400, 30268];
    const before = await copy.enrolmentData('AAA-2013J', students, 1000);
    const rowsBefore = before.map((e) => featuresAsOf(e, d));

    copy.db.prepare('DELETE FROM activity WHERE day > ?').run(d);
    copy.db.prepare('DELETE FROM submissions WHERE day_submitted > ?').run(d);
    const after = await copy.enrolmentData('AAA-2013J', students, 1000);
    expect(after[0]!.activity.day.length).toBeLessThan(before[0]!.activity.day.length);
    after.forEach((e, i) => expect(Array.from(featuresAsOf(e, d)))
      .toEqual(Array.from(rowsBefore[i]!)));
    await copy.close();
  });
});

/** The feature export, read back from its CSV: (presentation, as_of_day) → rows. */
function rowsByDay(file: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of fs.readFileSync(file, 'utf8').trim().split('\n').slice(1)) {
    const [presentation, , day] = line.split(',');
    const key = `${presentation} ${day}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

describe.skipIf(!present)('the feature export stops at each presentation\'s last day', () => {
  const tmp = tempDir('edutech-export-');
  let engine: Engine;
  // From the CSV files, not the store: each presentation's length and enrolment count.
  const lengthOf = (p: string) => Number(readOuladCsv('courses.csv').find((c) =>
    `${c.code_module}-${c.code_presentation}` === p)!.module_presentation_length);
  const enrolledIn = (p: string) => readOuladCsv('studentInfo.csv').filter((r) =>
    `${r.code_module}-${r.code_presentation}` === p).length;

  beforeAll(() => {
    engine = new Engine({ dbPath: copyOuladDb(tmp.dir), modelsDir: MODELS_DIR });
  });
  afterAll(async () => {
    await engine?.close();
    tmp.remove();
  });

  it('writes days up to the last one (inclusive) and counts the pairs after it', async () => {
    const out = path.join(tmp.dir, 'late.csv');
    const presentations = ['AAA-2013J', 'GGG-2014B'];
    expect(presentations.map(lengthOf)).toEqual([268, 241]);
    const r = await engine.call('exportFeatures',
      { out, presentations, days: [6, 241, 242, 268, 269, 300, 400] });

    const counts = rowsByDay(out);
    const aaa = enrolledIn('AAA-2013J');
    const ggg = enrolledIn('GGG-2014B');
    expect([...counts]).toEqual([
      ...[6, 241, 242, 268].map((d) => [`AAA-2013J ${d}`, aaa]),
      ...[6, 241].map((d) => [`GGG-2014B ${d}`, ggg]),
    ]);
    // AAA-2013J skips 269, 300, 400; GGG-2014B also 242 and 268.
    expect(r).toEqual({ rows: 4 * aaa + 2 * ggg, file: out, skippedBeyondEnd: 3 + 5 });
  });

  it('refuses a negative day with BAD_INPUT, writing nothing', async () => {
    const out = path.join(tmp.dir, 'negative.csv');
    await expect(engine.call('exportFeatures', { out, presentations: ['AAA-2013J'],
      days: [300, 400, -30] })).rejects.toMatchObject({ code: 'BAD_INPUT',
      message: expect.stringMatching(/days\.2: a day is 0 or later/) });
    expect(fs.existsSync(out)).toBe(false);
  });

  it('the default days give the whole training matrix: 325,930 rows, none skipped', async () => {
    const out = path.join(tmp.dir, 'training.csv');
    const r = await engine.call('exportFeatures', { out });
    expect(r).toEqual({ rows: 325_930, file: out, skippedBeyondEnd: 0 });
    expect(r.rows).toBe(readOuladCsv('studentInfo.csv').length * 10);
  });

  it('a presentation shorter than the default days gets no rows past its end', async () => {
    // No OULAD presentation is this short; a copy of the store is shortened to 3 days.
    const db = path.join(tmp.dir, 'short.db');
    fs.copyFileSync(inject('ouladDb'), db);
    const store = new SqliteStore(db);
    store.db.prepare("UPDATE presentations SET length_days = 3 WHERE presentation = 'AAA-2013J'")
      .run();
    await store.close();

    const out = path.join(tmp.dir, 'short.csv');
    const r = runCli(['--db', db, 'features', 'export', '-o', out,
      '--presentations', 'AAA-2013J,AAA-2014J']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const aaa14 = enrolledIn('AAA-2014J');
    expect(r.stdout).toBe(`wrote ${10 * aaa14} rows to ${out}\n`
      + 'skipped 10 (presentation, day) pair(s) after a presentation\'s last day: those '
      + 'presentations had ended\n');
    expect([...rowsByDay(out).keys()].filter((k) => k.startsWith('AAA-2013J'))).toEqual([]);
  });

  it('the CLI refuses --days it cannot read as whole numbers, and negative days', () => {
    const out = path.join(tmp.dir, 'cli.csv');
    const db = inject('ouladDb');
    const run = (days: string) => runCli(['--db', db, 'features', 'export', '-o', out,
      '--presentations', 'AAA-2013J', '--days', days]);
    for (const [days, message] of [
      ['6,1e1', /--days takes comma-separated whole numbers; "1e1" in "6,1e1" is not one/],
      ['0x5', /"0x5"/],
      ['300,400,-30', /days\.2: a day is 0 or later/],
    ] as const) {
      const r = run(days);
      expect(r.stderr).toMatch(/^error BAD_INPUT: /);
      expect(r.stderr).toMatch(message);
      expect(r.status).toBe(ERROR_CODES.BAD_INPUT.exit);
    }
    expect(fs.existsSync(out)).toBe(false);
  });

  it('the CLI refuses an output path that ends in a slash, writing nothing', () => {
    const folder = path.join(tmp.dir, 'meant-a-folder');
    const r = runCli(['--db', inject('ouladDb'), 'features', 'export', '-o', `${folder}/`,
      '--presentations', 'AAA-2013J', '--days', '6']);
    expect(r.stderr).toBe(`error BAD_INPUT: refusing to write the feature export to ${folder}/: `
      + 'a path ending in a slash names a folder, not a file\n');
    expect(fs.existsSync(folder)).toBe(false);
  });
});
