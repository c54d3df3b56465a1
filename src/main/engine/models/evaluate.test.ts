import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { runCli } from '../../../../test/helpers/cli';
import { haveShared, readOuladCsv, writeOuladSubset } from '../../../../test/helpers/shared';
import { shippedModelsDir } from '../config';
import { ModelRegistry } from './registry';

/**
 * `edutech models evaluate` must reproduce each model card: the figures training/train.py
 * computed with sklearn/torch on the exported matrix, recomputed here by the app's own
 * features, ONNX session and metrics on a real OULAD store (imported once per run by
 * test/global-setup.ts).
 */
const present = haveShared();
const TOLERANCE = 0.005;
const manifests = new ModelRegistry(shippedModelsDir()).list();

describe.skipIf(!present)('edutech models evaluate reproduces the model cards', () => {
  for (const manifest of manifests) {
    const presentation = manifest.evaluatedOn[0]!;

    it(`${manifest.name} on ${presentation}`, () => {
      const r = runCli(['--db', inject('ouladDb'), '--models', shippedModelsDir(), '--json',
        'models', 'evaluate', manifest.name, '--presentation', presentation]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.json).toMatchObject({ model: manifest.name, presentation, cardPresentation: true,
        trainedOn: false });

      const measured = new Map<number, Record<string, unknown>>(
        r.json.weeks.map((w: Record<string, unknown>) => [w.week, w]));
      expect([...measured.keys()]).toEqual(manifest.evaluation.map((e) => e.week));
      const keys = manifest.kind === 'classifier'
        ? ['auc', 'brier', 'ece'] : ['mae', 'mae_naive'];
      for (const card of manifest.evaluation) {
        const week = measured.get(card.week!)!;
        expect(week.n).toBe(card.n);
        if (card.positives !== undefined) expect(week.positives).toBe(card.positives);
        for (const key of keys) {
          expect(card[key], `${key} in the card, week ${card.week}`).toEqual(expect.any(Number));
          const got = week[key] as number;
          expect(Math.abs(got - card[key]!), `${key} week ${card.week}: ${got} vs ${card[key]}`)
            .toBeLessThanOrEqual(TOLERANCE);
        }
      }
    });
  }

  it('refuses weeks the presentation does not have, as score does', () => {
    const r = runCli(['--db', inject('ouladDb'), 'models', 'evaluate', 'project_2411_clf',
      '--presentation', 'AAA-2013J', '--weeks', '0,5,40']);
    expect(r.status).toBe(8);
    expect(r.stderr).toContain('BAD_WEEK: weeks 0, 40 are outside AAA-2013J, which has weeks 1..39');
  });

  it('measures the last, partial week on the presentation\'s last day, as score does', () => {
    const r = runCli(['--db', inject('ouladDb'), '--json', 'models', 'evaluate', 'project_1911',
      '--presentation', 'AAA-2013J', '--weeks', '39']);
    expect(r.status).toBe(0);
    const course = readOuladCsv('courses.csv')
      .find((c) => c.code_module === 'AAA' && c.code_presentation === '2013J')!;
    expect(r.json.weeks.map((w: { day: number }) => w.day))
      .toEqual([Number(course.module_presentation_length)]);
  });

  it('says when the weeks asked for lie past the model\'s weeks or the click data', () => {
    const r = runCli(['--db', inject('ouladDb'), '--json', 'models', 'evaluate',
      'project_2411_clf', '--presentation', 'BBB-2013J', '--weeks', '5,25']);
    expect(r.status).toBe(0);
    const lastClick = readOuladCsv('studentVle_BBB_2013J_days_upto_132.csv')
      .reduce((max, c) => Math.max(max, Number(c.date)), -Infinity);
    expect(r.json.notes).toEqual([
      expect.stringMatching(/^day 174 is after week 10 \(day 69\)/),
      expect.stringMatching(new RegExp(`^BBB-2013J's click data ends on day ${lastClick}:`)),
    ]);
    expect(r.json.withoutOutcome).toBe(0);
  });
});

describe.skipIf(!present)('models evaluate measures against outcomes that exist', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edutech-evaluate-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const students = readOuladCsv('studentInfo.csv')
    .filter((r) => r.code_module === 'AAA' && r.code_presentation === '2013J');

  /** AAA-2013J imported into a store of its own after `edit` changed each file's text. */
  function store(name: string, edit: (file: string, text: string) => string): string {
    const dir = writeOuladSubset(path.join(tmp, name), { module: 'AAA', code: '2013J',
      maxClickRows: 5000 });
    for (const file of fs.readdirSync(dir)) {
      const full = path.join(dir, file);
      fs.writeFileSync(full, edit(file, fs.readFileSync(full, 'utf8')));
    }
    const db = path.join(tmp, `${name}.db`);
    const imported = runCli(['--db', db, 'import', 'oulad', dir]);
    expect(imported.status, imported.stderr).toBe(0);
    return db;
  }
  /** studentInfo.csv with the final result of the given students emptied. */
  const withoutResults = (blank: (id: string) => boolean) => (file: string, text: string) =>
    (file !== 'studentInfo.csv' ? text : text.split('\r\n').map((line) => {
      const id = line.split(',')[2]?.replace(/"/g, '');
      return id !== undefined && blank(id) ? line.replace(/,"[A-Za-z]+"$/, ',') : line;
    }).join('\r\n'));

  it('leaves out enrolments without a final result and counts them', () => {
    const blanked = new Set(students.slice(0, 50).map((r) => r.id_student));
    const db = store('some-blank', withoutResults((id) => blanked.has(id)));
    const r = runCli(['--db', db, '--json', 'models', 'evaluate', 'project_1911',
      '--presentation', 'AAA-2013J', '--weeks', '5']);
    expect(r.status).toBe(0);
    const kept = students.filter((s) => !blanked.has(s.id_student));
    expect(r.json.withoutOutcome).toBe(50);
    expect(r.json.weeks[0]).toMatchObject({ n: kept.length, positives: kept
      .filter((s) => s.final_result === 'Pass' || s.final_result === 'Distinction').length });
    const text = runCli(['--db', db, 'models', 'evaluate', 'project_1911',
      '--presentation', 'AAA-2013J', '--weeks', '5']);
    expect(text.stdout).toContain('note: 50 enrolments without a final result were left out');
  });

  it('refuses a presentation where no final result is known, with NO_OUTCOMES', () => {
    const db = store('all-blank', withoutResults(() => true));
    const r = runCli(['--db', db, 'models', 'evaluate', 'project_2411_clf',
      '--presentation', 'AAA-2013J']);
    expect(r.status).toBe(16);
    expect(r.stderr).toContain(`NO_OUTCOMES: none of the ${students.length} enrolments of `
      + 'AAA-2013J has a final result');
  });

  it('refuses a presentation that has not finished, and says so when scoring it now', () => {
    const db = store('future', (_, text) => text.replaceAll('"2013J"', '"2999J"'));
    const r = runCli(['--db', db, 'models', 'evaluate', 'project_1611',
      '--presentation', 'AAA-2999J', '--weeks', '5']);
    expect(r.status).toBe(16);
    expect(r.stderr).toMatch(new RegExp('NO_OUTCOMES: AAA-2999J runs until 3000-\\d\\d-\\d\\d: '
      + 'a back-test needs a finished presentation'));
    const now = runCli(['--db', db, '--json', 'score', 'project_1911', '11391']);
    expect(now.status).toBe(0);
    expect(now.json).toMatchObject({ presentation: 'AAA-2999J', asOfDay: 0, basis: 'now' });
    expect(now.json.notes[0]).toBe('AAA-2999J starts on 2999-10-01, after today: "now" is '
      + 'read as its day 0, before any activity');
  });
});
