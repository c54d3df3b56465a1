import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { ERROR_CODES } from '../src/shared/errors';
import { runCli } from './helpers/cli';
import { haveShared, OULAD_DIR, readOuladCsv } from './helpers/shared';

const present = haveShared();
const MODEL = 'project_2411_clf';

describe.skipIf(!present)('edutech score, as a user runs it', () => {
  const db = () => ['--db', inject('ouladDb')];

  it('scores a real student at a week, with the documented JSON keys', () => {
    const r = runCli([...db(), '--json', 'score', MODEL, '11391', '6']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.json).toMatchObject({
      model: MODEL, metric: 'm2_success', student: 11391, presentation: 'AAA-2013J',
      asOfDay: 41, asOfDate: '2013-11-11', basis: 'week', notes: [],
    });
    expect(r.json.value).toBeGreaterThan(0);
    expect(r.json.value).toBeLessThan(1);
    // The features behind the score, checked against the raw click file.
    const clicks = readOuladCsv('studentVle_AAA_2013J.csv')
      .filter((c) => c.id_student === '11391' && Number(c.date) <= 41)
      .reduce((s, c) => s + Number(c.sum_click), 0);
    expect(r.json.features.clicks_total).toBe(clicks);
  });

  it('says when a day is past the measured weeks or after the click data ends', () => {
    const clicks = readOuladCsv('studentVle_BBB_2013J_days_upto_132.csv');
    const end = clicks.reduce((max, c) => Math.max(max, Number(c.date)), -Infinity);
    const student = clicks[0]!.id_student!;
    const late = runCli([...db(), '--json', 'score', MODEL, student, '25',
      '--presentation', 'BBB-2013J']).json;
    expect(late.asOfDay).toBe(174);
    expect(late.notes).toEqual([
      expect.stringMatching(/^day 174 is after week 10 \(day 69\), the last week project_2411_clf/),
      `BBB-2013J's click data ends on day ${end}: project_2411_clf reads every student as `
        + 'inactive since then, which lowers scores',
    ]);
    // A week after the last click is still read as data; a model without clicks is not warned.
    const inside = runCli([...db(), '--json', 'score', MODEL, student, String(Math.floor((end + 8) / 7)),
      '--presentation', 'BBB-2013J']).json;
    expect(inside.notes.some((n: string) => n.includes('click data ends'))).toBe(false);
    const noClicks = runCli([...db(), '--json', 'score', 'project_1911', student, '25',
      '--presentation', 'BBB-2013J']).json;
    expect(noClicks.notes).toHaveLength(1);
    const printed = runCli([...db(), 'score', MODEL, student, '25', '--presentation', 'BBB-2013J']);
    expect(printed.stdout).toContain(`note: BBB-2013J's click data ends on day ${end}`);
  });

  it('says when a model that reads clicks scores a presentation without click data', () => {
    // The click files in ../shared name the presentations that have clicks; FFF-2013B has none.
    const withClicks = new Set(fs.readdirSync(OULAD_DIR)
      .filter((f) => f.startsWith('studentVle'))
      .flatMap((f) => readOuladCsv(f).slice(0, 1).map((c) => c.code_module)));
    expect(withClicks.has('FFF')).toBe(false);
    const student = readOuladCsv('studentInfo.csv')
      .find((r) => r.code_module === 'FFF' && r.code_presentation === '2013B')!.id_student!;
    const args = [student, '5', '--presentation', 'FFF-2013B'];
    const clicks = runCli([...db(), '--json', 'score', MODEL, ...args]).json;
    expect(clicks.features.click_data_available).toBe(0);
    expect(clicks.notes).toEqual([`FFF-2013B has no click data: ${MODEL} is told its clicks `
      + 'are unknown and scores from coursework, registration and background (its card: '
      + '"Presentation without click data")']);
    expect(runCli([...db(), '--json', 'score', 'project_1911', ...args]).json.notes).toEqual([]);
  });

  it('gives the same score for a date as for the week ending that day', () => {
    const byWeek = runCli([...db(), '--json', 'score', MODEL, '11391', '6']).json;
    const byDate = runCli([...db(), '--json', 'score', MODEL, '11391', '2013-11-11']).json;
    expect(byDate.asOfDay).toBe(41);
    expect(byDate.basis).toBe('date');
    expect(byDate.value).toBe(byWeek.value);
  });

  it('scores now as of the last day with data, and prints a readable line', () => {
    const r = runCli([...db(), 'score', MODEL, '11391']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^project_2411_clf {2}m2_success = 0\.\d{4}\n/);
    expect(r.stdout).toMatch(/student 11391 in AAA-2013J, day 268 \(2014-06-26, now\)/);
  });

  it('chooses among several enrolments with --presentation', () => {
    const ambiguous = runCli([...db(), 'score', MODEL, '8462']);
    expect(ambiguous.status).toBe(ERROR_CODES.AMBIGUOUS_ENROLMENT.exit);
    expect(ambiguous.stderr).toMatch(/AMBIGUOUS_ENROLMENT.*DDD-2013J, DDD-2014J/);
    const chosen = runCli([...db(), '--json', 'score', MODEL, '8462', '3',
      '--presentation', 'DDD-2014J']);
    expect(chosen.status).toBe(0);
    expect(chosen.json.presentation).toBe('DDD-2014J');
  });

  const failures: [string, string[], keyof typeof ERROR_CODES][] = [
    ['unknown model', ['score', 'project_0000', '11391'], 'UNKNOWN_MODEL'],
    ['unknown student', ['score', MODEL, '99999999'], 'UNKNOWN_STUDENT'],
    ['week 0', ['score', MODEL, '11391', '0'], 'BAD_WEEK'],
    ['week past the end', ['score', MODEL, '11391', '40'], 'BAD_WEEK'],
    ['unparsable date', ['score', MODEL, '11391', '2013-13-01'], 'BAD_DATE'],
    ['date before the start', ['score', MODEL, '11391', '2013-09-30'], 'BAD_DATE'],
    ['unknown presentation', ['score', MODEL, '11391', '--presentation', 'ZZZ-2013J'],
      'UNKNOWN_PRESENTATION'],
  ];
  it.each(failures)('%s fails with its own code and exit status', (_, args, code) => {
    const r = runCli([...db(), ...args]);
    expect(r.status).toBe(ERROR_CODES[code].exit);
    expect(r.stderr).toMatch(new RegExp(`^error ${code}: `));
    const asJson = runCli([...db(), '--json', ...args]);
    expect(asJson.json.error.code).toBe(code);
  });

  it('an unknown option is BAD_INPUT, under --json as the one error object', () => {
    const r = runCli([...db(), '--json', 'score', MODEL, '11391', '5', '--bogus']);
    expect(r.status).toBe(ERROR_CODES.BAD_INPUT.exit);
    expect(r.json).toEqual({ error: { code: 'BAD_INPUT', message: 'unknown option \'--bogus\'',
      details: { commander: 'commander.unknownOption' } } });
    expect(r.stderr).toBe('');
  });

  it('an option out of range is named as typed, not by its API field', () => {
    const limit = runCli([...db(), 'students', '1', '--prefix', '-n', '600']);
    expect(limit.status).toBe(ERROR_CODES.BAD_INPUT.exit);
    expect(limit.stderr).toBe('error BAD_INPUT: invalid input: --limit: Too big: expected '
      + 'number to be <=500\n');
    const week = runCli([...db(), '--json', 'backfill', MODEL, 'all', '--to-week', '0']);
    expect(week.json.error.message).toBe('invalid input: --to-week: Too small: expected number '
      + 'to be >=1');
    expect(week.json.error.details.issues).toEqual([{ path: ['toWeek'],
      message: 'Too small: expected number to be >=1' }]);
  });

  it('a command group without its command says a command is required', () => {
    const bare = runCli([...db(), 'features']);
    expect(bare.status).toBe(ERROR_CODES.BAD_INPUT.exit);
    expect(bare.stderr).toContain('Usage: edutech features [options] [command]');
    expect(bare.stderr).toMatch(/error BAD_INPUT: a command is required \(--help lists them\)\n$/);
    const json = runCli([...db(), '--json']);
    expect(json.json.error).toEqual({ code: 'BAD_INPUT', message: 'a command is required '
      + '(--help lists them)', details: { commander: 'commander.help' } });
    expect(json.stderr).toBe('');
  });

  it('a usage error reads like any other failure, then shows the usage', () => {
    const r = runCli([...db(), 'models', 'evaluate', MODEL]);
    expect(r.status).toBe(ERROR_CODES.BAD_INPUT.exit);
    expect(r.stderr).toMatch(/^error BAD_INPUT: required option '-p, --presentation <key>' not /);
    expect(r.stderr).toContain('Usage: edutech models evaluate [options] <model>');
    expect(r.stdout).toBe('');
  });

  it('a week-or-date that is neither says so', () => {
    const r = runCli([...db(), 'score', MODEL, '11391', ' 5']);
    expect(r.status).toBe(ERROR_CODES.BAD_DATE.exit);
    expect(r.stderr).toContain('" 5" is neither a week number (1, 2, …) nor a date YYYY-MM-DD');
  });

  it('students says whether the limit cut the list short', () => {
    const ids = readOuladCsv('studentInfo.csv').map((r) => r.id_student!);
    const twice = ids.find((id, i) => ids.indexOf(id) !== i)!;
    const once = ids.find((id) => ids.indexOf(id) === ids.lastIndexOf(id))!;
    const cut = runCli([...db(), 'students', twice, '-n', '1']);
    expect(cut.stdout.trim().split('\n')).toHaveLength(1);
    expect(cut.stderr).toContain('(the first 1; raise --limit, up to 500, for more)');
    const whole = runCli([...db(), 'students', once, '-n', '1']);
    expect(whole.stdout.trim().split('\n')).toHaveLength(1);
    expect(whole.stderr).toBe('');
    // Every enrolment whose id starts like the student's with several: at least two.
    const start = twice.slice(0, -1);
    const prefix = ids.filter((id) => id.startsWith(start));
    expect(prefix.length).toBeGreaterThanOrEqual(2);
    expect(prefix.length).toBeLessThanOrEqual(500);
    const json = runCli([...db(), '--json', 'students', start, '--prefix',
      '-n', String(prefix.length)]).json;
    expect(json).toMatchObject({ more: false });
    expect(json.enrolments).toHaveLength(prefix.length);
    expect(runCli([...db(), '--json', 'students', start, '--prefix',
      '-n', String(prefix.length - 1)]).json.more).toBe(true);
  });

  it('an empty store fails with EMPTY_STORE', () => {
    const empty = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'edutech-empty-')), 'e.db');
    const r = runCli(['--db', empty, 'score', MODEL, '11391']);
    expect(r.status).toBe(ERROR_CODES.EMPTY_STORE.exit);
    expect(r.stderr).toMatch(/EMPTY_STORE.*edutech import oulad/);
  });
});
