/**
 * Adversarial reproductions: each test is one problem found by trying to break the product with
 * real inputs (../shared) and hostile ones made in a temp folder. A failing test here is a known
 * bug, not a flaky test; the expected behaviour is what the README and the error table promise.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/shared/errors';
import { BIN, runCli, type CliRun } from './helpers/cli';
import {
  copyOuladDb, MODELS_DIR, ObservedEngine, ouladWithoutClicks, startTestServer, tempDir,
} from './helpers/http';
import { haveShared, OULAD_DIR, writeOuladSubset } from './helpers/shared';

const present = haveShared();
const MODEL = 'project_2411_clf';
const STUDENT = '11391';
const LEARNING_TABLES = ['presentations', 'assessments', 'sites', 'enrolments', 'submissions',
  'activity'];

/** Runs the CLI with a short deadline, for inputs that used to hang it. */
function runCliWithin(ms: number, args: string[]): CliRun & { timedOut: boolean } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: ms });
  const timedOut = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, json: undefined, timedOut };
}

/** `error CODE: message` on stderr and the code's exit status. */
function expectFailure(r: CliRun, code: keyof typeof ERROR_CODES, message?: RegExp): void {
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stderr).toMatch(new RegExp(`^error ${code}: `, 'm'));
  if (message) expect(r.stderr).toMatch(message);
  expect(r.status).toBe(ERROR_CODES[code].exit);
}

/** A small real OULAD folder: AAA-2013J with five of its students and their first clicks. */
function buildMiniOulad(dir: string): void {
  writeOuladSubset(dir, {
    module: 'AAA', code: '2013J', students: ['11391', '28400', '30268', '31604', '32885'],
    maxClickRows: 2000,
  });
}

/** Every learning row of a store, as one string: equal strings mean nothing changed. */
function snapshot(dbFile: string): string {
  const db = new Database(dbFile, { readonly: true });
  try {
    return LEARNING_TABLES.map((t) => JSON.stringify(
      db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2, 3`).all())).join('\n');
  } finally {
    db.close();
  }
}

/** Appends lines (CRLF) to a file of the case folder and returns the last line's number. */
function appendLines(file: string, ...lines: string[]): number {
  fs.appendFileSync(file, lines.map((l) => `${l}\r\n`).join(''));
  return fs.readFileSync(file, 'utf8').split('\r\n').filter(Boolean).length;
}

function lineOf(file: string, n: number): string {
  return fs.readFileSync(file, 'utf8').split('\r\n')[n - 1]!;
}

describe.skipIf(!present)('import oulad with broken folders: clear error, store unchanged', () => {
  const tmp = tempDir('edutech-adv-import-');
  const mini = path.join(tmp.dir, 'mini');
  const template = path.join(tmp.dir, 'template.db');
  let cases = 0;

  beforeAll(() => {
    fs.mkdirSync(mini);
    buildMiniOulad(mini);
    const r = runCli(['--db', template, 'import', 'oulad', mini]);
    if (r.status !== 0) throw new Error(`the mini import failed: ${r.stderr}`);
  });
  afterAll(() => tmp.remove());

  /** Copies the mini folder, lets `mutate` break it, and imports it over a copy of the store. */
  function importBroken(mutate: (dir: string) => void) {
    const dir = path.join(tmp.dir, `case ${++cases} ü`);
    fs.cpSync(mini, dir, { recursive: true });
    mutate(dir);
    const db = path.join(tmp.dir, `case-${cases}.db`);
    fs.copyFileSync(template, db);
    const before = snapshot(db);
    const run = runCliWithin(4000, ['--db', db, 'import', 'oulad', dir]);
    return { run, dir, unchanged: () => snapshot(db) === before };
  }

  it('a folder named vle.csv fails with IMPORT_FAILED naming it, not a crash', () => {
    const { run, unchanged } = importBroken((dir) => {
      fs.rmSync(path.join(dir, 'vle.csv'));
      fs.mkdirSync(path.join(dir, 'vle.csv'));
    });
    expectFailure(run, 'IMPORT_FAILED', /vle\.csv/);
    expect(unchanged()).toBe(true);
  });

  it('a FIFO named courses.csv fails at once instead of waiting forever', () => {
    const { run } = importBroken((dir) => {
      fs.rmSync(path.join(dir, 'courses.csv'));
      spawnSync('mkfifo', [path.join(dir, 'courses.csv')]);
    });
    expect(run.timedOut).toBe(false);
    expectFailure(run, 'IMPORT_FAILED', /courses\.csv/);
  });

  it('a duplicate (assessment, student) row names studentAssessment.csv and its line', () => {
    let line = 0;
    const { run, unchanged } = importBroken((dir) => {
      const file = path.join(dir, 'studentAssessment.csv');
      line = appendLines(file, lineOf(file, 2));
    });
    expectFailure(run, 'IMPORT_FAILED', new RegExp(`studentAssessment\\.csv, line ${line}`));
    expect(unchanged()).toBe(true);
  });

  /** Rewrites one field of line `line` (1-based, header included) of a case-folder file. */
  function setField(dir: string, name: string, line: number, column: string, value: string) {
    const file = path.join(dir, name);
    const lines = fs.readFileSync(file, 'utf8').split('\r\n');
    const header = lines[0]!.split(',').map((h) => h.replace(/"/g, ''));
    const fields = lines[line - 1]!.split(',');
    fields[header.indexOf(column)] = `"${value}"`;
    lines[line - 1] = fields.join(',');
    fs.writeFileSync(file, lines.join('\r\n'));
  }

  it.each([
    ['courses.csv', 'module_presentation_length', '0', '1..1000'],
    ['assessments.csv', 'weight', '-10', '0..100'],
    ['studentAssessment.csv', 'score', '150', '0..100'],
    ['studentAssessment.csv', 'is_banked', '7', '0..1'],
    ['studentVle_AAA_2013J.csv', 'sum_click', '-50', '0..'],
    ['studentVle_AAA_2013J.csv', 'date', '-9000000', '-1000..1000'],
    ['studentVle_AAA_2013J.csv', 'sum_click', '3000000000', '0..2147483647'],
    ['vle.csv', 'week_to', '999999', '0..143'],
  ])('%s: %s = %s is refused with its line and range', (name, column, value, range) => {
    const { run, unchanged } = importBroken((dir) => setField(dir, name, 2, column, value));
    expectFailure(run, 'IMPORT_FAILED', new RegExp(
      `${name.replace(/\./g, '\\.')}, line 2: ${column} ${value} is outside ${range}`));
    expect(unchanged()).toBe(true);
  });

  it.each([
    ['studentAssessment.csv', 'score', '0x64', /score "0x64" is not a number/],
    ['studentInfo.csv', 'imd_band', '900-1000%',
      /imd_band "900-1000%" is not one of the bands 0-10% … 90-100%/],
  ])('%s: %s = %s is refused with its line', (name, column, value, message) => {
    const { run, unchanged } = importBroken((dir) => setField(dir, name, 2, column, value));
    expectFailure(run, 'IMPORT_FAILED',
      new RegExp(`${name.replace(/\./g, '\\.')}, line 2: ${message.source}`));
    expect(unchanged()).toBe(true);
  });

  it('a presentation listed twice in courses.csv names the file and line', () => {
    const { run } = importBroken((dir) => {
      const file = path.join(dir, 'courses.csv');
      appendLines(file, lineOf(file, 2));
    });
    expectFailure(run, 'IMPORT_FAILED', /courses\.csv, line 3/);
  });

  it('an empty (0-byte) studentInfo.csv fails instead of deleting every enrolment', () => {
    const { run, unchanged } = importBroken((dir) => {
      fs.writeFileSync(path.join(dir, 'studentInfo.csv'), '');
    });
    expectFailure(run, 'IMPORT_FAILED', /studentInfo\.csv/);
    expect(unchanged()).toBe(true);
  });

  it('an empty (0-byte) courses.csv is blamed on courses.csv, not on assessments.csv', () => {
    const { run } = importBroken((dir) => fs.writeFileSync(path.join(dir, 'courses.csv'), ''));
    expectFailure(run, 'IMPORT_FAILED', /^error IMPORT_FAILED: courses\.csv/m);
  });

  it('an id beyond 2^53 is refused, not silently rounded to another student', () => {
    const { run, unchanged } = importBroken((dir) => {
      const file = path.join(dir, 'studentInfo.csv');
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8')
        .replace('"32885"', '"9007199254740993"'));
    });
    expectFailure(run, 'IMPORT_FAILED', /studentInfo\.csv, line \d+: id_student/);
    expect(unchanged()).toBe(true);
  });

  it('a submission by a student not enrolled in the presentation is refused', () => {
    const { run, unchanged } = importBroken((dir) => {
      const file = path.join(dir, 'studentAssessment.csv');
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/"11391"/, '"123"'));
    });
    expectFailure(run, 'IMPORT_FAILED', /studentAssessment\.csv, line 2/);
    expect(unchanged()).toBe(true);
  });

  it('a binary click file gives a short, printable message', () => {
    const { run } = importBroken((dir) => {
      const bytes = Buffer.alloc(4096);
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 131 + 7) % 256;
      fs.writeFileSync(path.join(dir, 'studentVle_AAA_2013J.csv'), bytes);
    });
    expectFailure(run, 'IMPORT_FAILED', /studentVle_AAA_2013J\.csv/);
    expect(run.stderr.length).toBeLessThan(1000);
    // eslint-disable-next-line no-control-regex
    expect(run.stderr).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f\ufffd]/);
  });
});

describe.skipIf(!present)('one engine, concurrent calls (as the HTTP server runs them)', () => {
  const tmp = tempDir('edutech-adv-engine-');
  let engine: ObservedEngine;
  let failingFolder: string;

  beforeAll(() => {
    engine = new ObservedEngine({ dbPath: copyOuladDb(tmp.dir), modelsDir: MODELS_DIR });
    // The six real tables, then a click file whose only row names an unknown site: the import
    // runs for about a second and then fails, so it must roll back and leave no trace.
    failingFolder = ouladWithoutClicks(tmp.dir);
    fs.writeFileSync(path.join(failingFolder, 'studentVle_zz.csv'),
      '"code_module","code_presentation","id_student","id_site","date","sum_click"\r\n'
      + '"AAA","2013J","11391","1","1","1"\r\n');
  });
  afterAll(async () => {
    await engine?.close();
    tmp.remove();
  });

  /** Runs the failing import and calls `during` once it has replaced the presentations. */
  async function duringFailingImport<T>(
    during: () => Promise<T>,
  ): Promise<PromiseSettledResult<T>> {
    let inFlight: Promise<T> | undefined;
    const imported = engine.call('importData', { format: 'oulad', folder: failingFolder }, {
      onProgress: (e) => {
        if ((e as { file: string }).file === 'vle.csv') inFlight ??= during();
      },
    });
    await expect(imported).rejects.toMatchObject({ code: 'IMPORT_FAILED' });
    expect(inFlight).toBeDefined();
    const [settled] = await Promise.allSettled([inFlight!]);
    return settled!;
  }

  it('a score during an import that fails answers from the committed data', async () => {
    const input = { model: MODEL, student: Number(STUDENT), week: 3 };
    const before = await engine.call('score', input);
    const during = await duringFailingImport(() => engine.call('score', input));
    expect(during.status === 'fulfilled' ? during.value.value : during.reason)
      .toBe(before.value);
    expect((await engine.call('score', input)).value).toBe(before.value);
  });

  it('a scan that reports success during a failing import keeps its rows', async () => {
    const root = tempDir('edutech-adv-scanroot-');
    fs.mkdirSync(path.join(root.dir, 'ann'));
    fs.writeFileSync(path.join(root.dir, 'ann', 'a.csv'), 'x,y\n1,2\n');
    const during = await duringFailingImport(() => engine.call('scan', { roots: [root.dir] }));
    root.remove();
    expect(during.status).toBe('fulfilled');
    const scanId = (during as PromiseFulfilledResult<{ scanId: number }>).value.scanId;
    const db = new Database(engine.config.dbPath, { readonly: true });
    try {
      const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'ds_scans'").get();
      const row = hasTable ? db.prepare('SELECT status FROM ds_scans WHERE id = ?').get(scanId)
        : undefined;
      expect(row).toEqual({ status: 'finished' });
    } finally {
      db.close();
    }
  });

  it('two imports at once: the second waits or fails with STORE_FAILED, not INTERNAL', async () => {
    const folder = ouladWithoutClicks(fs.mkdtempSync(path.join(tmp.dir, 'twice-')));
    const input = { format: 'oulad', folder };
    const results = await Promise.allSettled([engine.call('importData', input),
      engine.call('importData', input)]);
    for (const r of results) {
      if (r.status === 'rejected') expect(r.reason.code).toBe('STORE_FAILED');
    }
  });
});

describe.skipIf(!present)('the HTTP server survives bad calls and answers 4xx', () => {
  const tmp = tempDir('edutech-adv-http-');
  afterAll(() => tmp.remove());

  it('stays up after an importData whose folder holds a directory named vle.csv', async () => {
    const folder = path.join(tmp.dir, 'dir-as-file');
    fs.mkdirSync(folder);
    for (const f of ['courses', 'assessments']) {
      fs.symlinkSync(path.join(OULAD_DIR, `${f}.csv`), path.join(folder, `${f}.csv`));
    }
    fs.mkdirSync(path.join(folder, 'vle.csv'));
    const db = path.join(tmp.dir, 'serve.db');
    const child = spawn(process.execPath, [BIN, '--db', db, 'serve', '--port', '0'],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const m = /http:\/\/127\.0\.0\.1:\d+/.exec(out);
          if (m) resolve(m[0]);
        });
        child.on('exit', () => reject(new Error('serve exited before listening')));
      });
      const response = await fetch(`${url}/api/importData`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ format: 'oulad', folder }),
      }).catch((error: Error) => error);
      expect(response).toBeInstanceOf(Response);
      expect((response as Response).status).toBe(422);
      expect(await (response as Response).json()).toMatchObject({ code: 'IMPORT_FAILED' });
      expect((await fetch(`${url}/api/health`)).status).toBe(200);
    } finally {
      child.kill();
    }
  });

  it('an empty date is 400 BAD_DATE, not 500', async () => {
    const server = await startTestServer(copyOuladDb(tmp.dir));
    try {
      const response = await fetch(`${server.url}/api/score`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: MODEL, student: Number(STUDENT), date: '' }),
      });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { code: string }).code).toBe('BAD_DATE');
    } finally {
      await server.stop();
    }
  });

  it('a streamed call with an invalid input is refused with 400 before streaming', async () => {
    const server = await startTestServer(path.join(tmp.dir, 'stream.db'));
    try {
      const response = await fetch(`${server.url}/api/importData`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/x-ndjson' },
        body: JSON.stringify({ format: 'nope' }),
      });
      expect(response.status).toBe(400);
    } finally {
      await server.stop();
    }
  });
});

describe.skipIf(!present)('score with odd arguments', () => {
  const tmp = tempDir('edutech-adv-score-');
  let store: string[];
  beforeAll(() => {
    store = ['--db', copyOuladDb(tmp.dir)];
  });
  afterAll(() => tmp.remove());

  it('an empty `when` is BAD_DATE (exit 9), not INTERNAL', () => {
    expectFailure(runCli([...store, 'score', MODEL, STUDENT, '']), 'BAD_DATE');
  });

  it('a date after the presentation ended is BAD_DATE, as a week after it is BAD_WEEK', () => {
    expectFailure(runCli([...store, 'score', MODEL, STUDENT, '2099-01-01']), 'BAD_DATE',
      /2099-01-01/);
  });

  it('a student id beyond 2^53 is BAD_INPUT, not "no enrolment for student Infinity"', () => {
    expectFailure(runCli([...store, 'score', MODEL, '9'.repeat(400)]), 'BAD_INPUT');
    // One reason, the size: the id is all digits, so "not a whole number" would be wrong.
    expectFailure(runCli([...store, 'score', MODEL, '9007199254740993']), 'BAD_INPUT',
      /BAD_INPUT: invalid input: student: a student id is at most 2\^53 − 1\n$/);
  });

  it('--json with a usage error still prints one JSON error object', () => {
    const r = runCli([...store, '--json', 'score', MODEL]);
    expect(r.status).toBe(ERROR_CODES.BAD_INPUT.exit);
    expect(r.json?.error?.code).toBe('BAD_INPUT');
  });

  it('a --db that is not a SQLite file is STORE_FAILED (exit 13), naming the file', () => {
    const file = path.join(tmp.dir, 'notes.db');
    fs.writeFileSync(file, 'these are my notes, not a database\n');
    expectFailure(runCli(['--db', file, 'score', MODEL, STUDENT]), 'STORE_FAILED', /notes\.db/);
  });

  it('a store migrated by a newer version of the app is refused, not misread', () => {
    const dir = path.join(tmp.dir, 'newer');
    fs.mkdirSync(dir);
    const file = copyOuladDb(dir);
    const db = new Database(file);
    db.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?, ?)')
      .run('default', 99, 'from the future', new Date().toISOString());
    db.close();
    expectFailure(runCli(['--db', file, 'score', MODEL, STUDENT]), 'STORE_FAILED',
      /has schema version 99, written by a newer Edutech Analyst; this one knows versions up to 1/);
  });

  it('features export into a folder path is a clear input error, not INTERNAL', () => {
    const out = fs.mkdtempSync(path.join(tmp.dir, 'edutech-adv-out-'));
    const r = runCli([...store, 'features', 'export', '-o', out, '--presentations',
      'AAA-2013J', '--days', '6']);
    expect(r.stderr).toMatch(/^error (BAD_INPUT|STORE_FAILED): .*edutech-adv-out-/);
    expect(r.status).not.toBe(ERROR_CODES.INTERNAL.exit);
  });

  it('a failed write to stdout (disk full) ends without a JS stack trace', () => {
    if (!fs.existsSync('/dev/full')) return;
    const full = fs.openSync('/dev/full', 'w');
    const r = spawnSync(process.execPath, [BIN, ...store, '--json', 'models', 'list'],
      { stdio: ['ignore', full, 'pipe'], encoding: 'utf8' });
    fs.closeSync(full);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.status).not.toBe(0);
  });
});

describe.skipIf(!present)('whole numbers in options and arguments, read one strict way', () => {
  const tmp = tempDir('edutech-adv-numbers-');
  let store: string[];
  beforeAll(() => {
    store = ['--db', copyOuladDb(tmp.dir)];
  });
  afterAll(() => tmp.remove());

  // Number() reads each of these as a number (5, 10, 100, 80, 1); none is what was typed.
  const cases: [string, string[], RegExp][] = [
    ['models evaluate --weeks 0x5', ['models', 'evaluate', MODEL, '-p', 'AAA-2013J',
      '--weeks', '0x5'], /--weeks takes comma-separated whole numbers; "0x5" in "0x5"/],
    ['models evaluate --weeks 1,1e1', ['models', 'evaluate', MODEL, '-p', 'AAA-2013J',
      '--weeks', '1,1e1'], /"1e1" in "1,1e1" is not one/],
    ['backfill --to-week 0x5', ['backfill', MODEL, STUDENT, '--to-week', '0x5'],
      /--to-week must be a whole number, not "0x5"/],
    ['backfill --batch-size 1e2', ['backfill', MODEL, STUDENT, '--batch-size', '1e2'],
      /--batch-size must be a whole number, not "1e2"/],
    ['students -n 1e1', ['students', STUDENT, '-n', '1e1'],
      /--limit must be a whole number, not "1e1"/],
    ['scan --person-depth 0b1', ['scan', tmp.dir, '--person-depth', '0b1'],
      /--person-depth must be a whole number, not "0b1"/],
    ['metrics --port 0x50', ['metrics', '--port', '0x50'],
      /--port must be a whole number, not "0x50"/],
    ['serve --port 8e3', ['serve', '--port', '8e3'], /--port must be a whole number, not "8e3"/],
    ['score week 1.5', ['score', MODEL, STUDENT, '1.5'], /week must be a whole number, not "1.5"/],
    ['backfill --presentations with a trailing comma',
      ['backfill', MODEL, STUDENT, '--presentations', 'AAA-2013J,'],
      /--presentations takes comma-separated names; "AAA-2013J," has an empty one/],
    ['features export --presentations with a gap',
      ['features', 'export', '-o', path.join(tmp.dir, 'never.csv'), '--presentations', 'A,,B'],
      /--presentations takes comma-separated names; "A,,B" has an empty one/],
  ];
  it.each(cases)('%s is BAD_INPUT naming the option and the value', (_, args, message) => {
    expectFailure(runCliWithin(20_000, [...store, ...args]), 'BAD_INPUT', message);
  });

  it('well-formed values still reach the engine', () => {
    const evaluated = runCli([...store, '--json', 'models', 'evaluate', MODEL, '-p', 'AAA-2013J',
      '--weeks', '1, 5']);
    expect(evaluated.status, evaluated.stderr).toBe(0);
    expect(evaluated.json.weeks.map((w: { week: number }) => w.week)).toEqual([1, 5]);
    // The range stays the contract's and the engine's to judge.
    expectFailure(runCli([...store, 'models', 'evaluate', MODEL, '-p', 'AAA-2013J',
      '--weeks', '99']), 'BAD_WEEK', /week 99 is outside AAA-2013J/);
    expectFailure(runCli([...store, 'backfill', MODEL, STUDENT, '--to-week', '-1']),
      'BAD_INPUT', /--to-week: Too small/);
  });
});

describe.skipIf(!present)('a models folder with a hostile manifest', () => {
  const tmp = tempDir('edutech-adv-models-');
  const manifest = () =>
    JSON.parse(fs.readFileSync(path.join(MODELS_DIR, `${MODEL}.json`), 'utf8'));
  let store: string;
  beforeAll(() => {
    store = copyOuladDb(tmp.dir);
  });
  afterAll(() => tmp.remove());

  function folderWith(name: string, edit: (m: any) => void): string {
    const dir = path.join(tmp.dir, name);
    fs.mkdirSync(dir);
    const m = manifest();
    edit(m);
    fs.writeFileSync(path.join(dir, `${MODEL}.json`), JSON.stringify(m));
    fs.copyFileSync(path.join(MODELS_DIR, `${MODEL}.onnx`), path.join(dir, `${MODEL}.onnx`));
    return dir;
  }

  it('a feature named "constructor" is refused, not scored as NaN with exit 0', () => {
    const dir = folderWith('proto', (m) => {
      m.features[0] = 'constructor';
    });
    const r = runCli(['--db', store, '--models', dir, 'score', MODEL, STUDENT, '3']);
    expectFailure(r, 'MODEL_FAILED');
  });

  it('a manifest whose file points outside the models folder is refused', () => {
    const outside = path.join(tmp.dir, 'outside');
    fs.mkdirSync(outside);
    fs.copyFileSync(path.join(MODELS_DIR, `${MODEL}.onnx`), path.join(outside, 'x.onnx'));
    const dir = folderWith('escape', (m) => {
      m.file = '../outside/x.onnx';
    });
    const r = runCli(['--db', store, '--models', dir, 'score', MODEL, STUDENT, '3']);
    expectFailure(r, 'MODEL_FAILED', /file/);
  });
});

describe('scan roots', () => {
  const tmp = tempDir('edutech-adv-scan-');
  afterAll(() => tmp.remove());

  it('overlapping roots count each file once', () => {
    fs.mkdirSync(path.join(tmp.dir, 'team', 'ann'), { recursive: true });
    fs.writeFileSync(path.join(tmp.dir, 'team', 'ann', 'a.csv'), 'x,y\n1,2\n3,4\n');
    const root = path.join(tmp.dir, 'team');
    const r = runCli(['--db', path.join(tmp.dir, 'overlap.db'), '--json', 'scan', root,
      path.join(root, 'ann')]);
    if (r.status === 0) {
      expect(r.json).toMatchObject({ files: 1, csvRows: 2 });
    } else {
      expect(r.json?.error?.code).toMatch(/^(BAD_INPUT|SCAN_FAILED)$/);
    }
  });

  it('an empty root is BAD_INPUT, not the current folder', () => {
    const r = runCli(['--db', path.join(tmp.dir, 'empty-root.db'), '--json', 'scan', '']);
    expect(r.json?.error?.code).toBe('BAD_INPUT');
    expect(r.status).toBe(ERROR_CODES.BAD_INPUT.exit);
  });
});

describe('metrics', () => {
  const tmp = tempDir('edutech-adv-metrics-');
  const db = () => ['--db', path.join(tmp.dir, 'm.db')];
  // A store with one (empty) scan: metrics read it and never create one.
  beforeAll(() => {
    fs.mkdirSync(path.join(tmp.dir, 'empty-root'));
    const r = runCli([...db(), 'scan', path.join(tmp.dir, 'empty-root')]);
    if (r.status !== 0) throw new Error(`the scan that makes the store failed: ${r.stderr}`);
  });
  afterAll(() => tmp.remove());

  it('--textfile into a missing folder is a clear error naming it, not INTERNAL', () => {
    const missing = path.join(tmp.dir, 'no', 'such', 'm.prom');
    const r = runCli([...db(), 'metrics', '--textfile', missing]);
    expect(r.stderr).toBe(`error BAD_INPUT: cannot write ${missing}: its folder `
      + `${path.dirname(missing)} does not exist\n`);
    expect(r.status).toBe(ERROR_CODES.BAD_INPUT.exit);
    // A file where a folder should be: said of that file, not of the temporary one beside.
    const file = path.join(tmp.dir, 'plain-file');
    fs.writeFileSync(file, '');
    const under = runCli([...db(), 'metrics', '--textfile', path.join(file, 'm.prom')]);
    expect(under.stderr).toBe(`error BAD_INPUT: cannot write ${path.join(file, 'm.prom')}: `
      + `${file} is not a folder\n`);
    // A name too long fails at the rename, after the work: still said of the file named.
    const long = path.join(tmp.dir, `${'a'.repeat(300)}.prom`);
    expect(runCli([...db(), 'metrics', '--textfile', long]).stderr).toBe(`error BAD_INPUT: `
      + `cannot write ${long}: its name is too long for the file system\n`);
    // A folder path with its slash would have been written as a file of the folder's name.
    const folder = path.join(tmp.dir, 'not-yet');
    expectFailure(runCli([...db(), 'metrics', '--textfile', `${folder}/`]), 'BAD_INPUT',
      /a path ending in a slash names a folder, not a file/);
    expect(fs.existsSync(folder)).toBe(false);
  });

  it('--port outside 0..65535 is BAD_INPUT (exit 2), as for serve', () => {
    expectFailure(runCli([...db(), 'metrics', '--port', '99999']), 'BAD_INPUT');
  });

  it('--port already in use is BAD_INPUT (exit 2), as for serve', async () => {
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as net.AddressInfo).port;
    try {
      expectFailure(runCliWithin(5000, [...db(), 'metrics', '--port', String(port)]),
        'BAD_INPUT', /EADDRINUSE/);
    } finally {
      busy.close();
    }
  });

  it('--json --textfile prints a JSON object', () => {
    const r = runCli([...db(), '--json', 'metrics', '--textfile', path.join(tmp.dir, 'ok.prom')]);
    expect(r.status).toBe(0);
    expect(r.json).toBeTypeOf('object');
  });

  it('a --host that does not resolve, or an empty one, is BAD_INPUT for serve and metrics',
    () => {
      for (const command of ['serve', 'metrics']) {
        expectFailure(runCliWithin(10_000, [...db(), command, '--host', 'no-such-host.invalid',
          '--port', '0']), 'BAD_INPUT', /no-such-host\.invalid/);
        // Node would take an empty host as every interface.
        expectFailure(runCliWithin(5000, [...db(), command, '--host', '', '--port', '0']),
          'BAD_INPUT', /--host is empty/);
      }
    });
});

describe.skipIf(!present)('outputs and stores named by mistake', () => {
  const tmp = tempDir('edutech-adv-out-');
  let dbFile: string;
  let before: string;
  beforeAll(() => {
    dbFile = copyOuladDb(tmp.dir);
    before = snapshot(dbFile);
  });
  afterAll(() => tmp.remove());

  it('a feature export or metrics textfile aimed at the store is refused; the store is kept',
    () => {
      const link = path.join(tmp.dir, 'another-name.db');
      fs.symlinkSync(dbFile, link);
      for (const out of [dbFile, link, `${dbFile}-wal`]) {
        expectFailure(runCli(['--db', dbFile, 'features', 'export', '-o', out,
          '--presentations', 'AAA-2013J', '--days', '6']), 'BAD_INPUT',
        /that is the store it is read from/);
      }
      expectFailure(runCli(['--db', dbFile, 'metrics', '--textfile', dbFile]), 'BAD_INPUT',
        /that is the store it is read from/);
      expect(snapshot(dbFile)).toBe(before);
    });

  it('a hard link or a dangling link to the store\'s log, or a named pipe, is refused', () => {
    // A reader keeps the log file (-wal) in place while the exports are tried.
    const reader = new Database(dbFile);
    try {
      reader.prepare('SELECT COUNT(*) FROM enrolments').get();
      const hard = path.join(tmp.dir, 'hard.csv');
      fs.linkSync(`${dbFile}-wal`, hard);
      const dangling = path.join(tmp.dir, 'dangling.csv');
      fs.symlinkSync(path.join(tmp.dir, 'no-such.db-wal'), dangling);
      const pipe = path.join(tmp.dir, 'pipe.csv');
      spawnSync('mkfifo', [pipe]);
      const cases: [string, RegExp][] = [[hard, /hard link/], [pipe, /not a regular file/]];
      for (const [out, why] of cases) {
        expectFailure(runCliWithin(10_000, ['--db', dbFile, 'features', 'export', '-o', out,
          '--presentations', 'AAA-2013J', '--days', '6']), 'BAD_INPUT', why);
      }
      // A link to a file that does not exist yet is replaced by the export, not followed.
      const r = runCli(['--db', dbFile, 'features', 'export', '-o', dangling,
        '--presentations', 'AAA-2013J', '--days', '6']);
      expect(r.status, r.stderr).toBe(0);
      expect(fs.lstatSync(dangling).isFile()).toBe(true);
      expect(fs.existsSync(path.join(tmp.dir, 'no-such.db-wal'))).toBe(false);
    } finally {
      reader.close();
    }
    expect(snapshot(dbFile)).toBe(before);
  });

  it('a cancelled export leaves the previous file as it was, and no temporary file', async () => {
    const out = path.join(tmp.dir, 'kept.csv');
    fs.writeFileSync(out, 'previous,export\n');
    const engine = new ObservedEngine({ dbPath: dbFile, modelsDir: MODELS_DIR });
    try {
      const controller = new AbortController();
      const call = engine.call('exportFeatures', { out }, { signal: controller.signal });
      setTimeout(() => controller.abort(), 200);
      await expect(call).rejects.toMatchObject({ code: 'CANCELLED' });
    } finally {
      await engine.close();
    }
    expect(fs.readFileSync(out, 'utf8')).toBe('previous,export\n');
    expect(fs.readdirSync(tmp.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('an export over another SQLite database is refused; over a CSV it is written', () => {
    const other = path.join(tmp.dir, 'other.db');
    fs.copyFileSync(dbFile, other);
    expectFailure(runCli(['--db', dbFile, 'features', 'export', '-o', other,
      '--presentations', 'AAA-2013J', '--days', '6']), 'BAD_INPUT', /holds a SQLite database/);
    const csv = path.join(tmp.dir, 'again.csv');
    fs.writeFileSync(csv, 'old,content\n');
    const r = runCli(['--db', dbFile, '--json', 'features', 'export', '-o', csv,
      '--presentations', 'AAA-2013J,AAA-2013J', '--days', '6,6']);
    expect(r.status, r.stderr).toBe(0);
    // Named twice, exported once: one row per enrolment of AAA-2013J.
    expect(fs.readFileSync(csv, 'utf8').trim().split('\n')).toHaveLength(1 + 383);
  });

  it('a read-only command on a missing --db names it and creates nothing', () => {
    const missing = path.join(tmp.dir, 'typo', 'dir', 'x.db');
    for (const args of [['students', '11391'], ['score', MODEL, STUDENT, '5'],
      ['models', 'evaluate', MODEL, '--presentation', 'AAA-2013J'], ['metrics'],
      ['backfill', MODEL, STUDENT]]) {
      expectFailure(runCli(['--db', missing, ...args]), 'EMPTY_STORE',
        new RegExp(`no SQLite store at ${missing.replace(/[.]/g, '\\.')}`));
    }
    expect(fs.existsSync(path.join(tmp.dir, 'typo'))).toBe(false);
  });

  it('a models folder that does not exist is named', () => {
    const folder = path.join(tmp.dir, 'no-models');
    expectFailure(runCli(['--db', dbFile, '--models', folder, 'score', MODEL, STUDENT, '5']),
      'UNKNOWN_MODEL', new RegExp(`models folder ${folder} does not exist`));
  });

  it('a --pg value that is no postgres:// URL is BAD_INPUT and is not echoed', () => {
    const r = runCli(['--db', dbFile, '--pg', 'not a url:secret', 'students', '11391',
      '--target', 'postgres']);
    expectFailure(r, 'BAD_INPUT', /must start with postgres:\/\//);
    expect(r.stderr).not.toContain('secret');
  });

  it('a Postgres server that is not there: STORE_FAILED says no URL was given', async () => {
    // A port nothing listens on: taken from the OS, then released.
    const port = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(free));
      });
    });
    const env = { EDUTECH_PG_URL: '', PGHOST: '127.0.0.1', PGPORT: String(port) };
    const r = runCli(['--db', dbFile, 'students', '11391', '--target', 'postgres'], env);
    expectFailure(r, 'STORE_FAILED', new RegExp(`ECONNREFUSED 127\\.0\\.0\\.1:${port} \\(no --pg `
      + 'URL or EDUTECH_PG_URL given, so the PG\\* variables and their defaults were used\\)'));
  });

  it('HTTP: a relative or NUL-holding output path is BAD_INPUT, not written or INTERNAL',
    async () => {
      const engine = new ObservedEngine({ dbPath: dbFile, modelsDir: MODELS_DIR });
      try {
        for (const out of ['relative.csv', `${tmp.dir}/x\u0000.csv`]) {
          await expect(engine.call('exportFeatures', { out, days: [6] }))
            .rejects.toMatchObject({ code: 'BAD_INPUT' });
        }
        expect(fs.existsSync(path.resolve('relative.csv'))).toBe(false);
      } finally {
        await engine.close();
      }
    });
});
