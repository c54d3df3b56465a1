import fs from 'node:fs';
import path from 'node:path';
import { AppError, toAppError } from '../../../shared/errors';
import type { Cell, LearningTable } from '../store/schema';
import type { KeptActivity, LearningStore } from '../store/store';
import {
  categoryField, intField, optionalIntField, optionalNumberField, readRecords, textField,
  type Range, type SourceRecord,
} from './csv-records';
import { refuseCopiedFiles } from './copied-files';
import { presentationKey, presentationStartDate } from './presentation-dates';
import { log } from '../log';
import { parseImdBand } from '../features/trajectory';
import { AGE_BAND, EDUCATION_LEVEL } from '../features/definitions';

export interface ImportSummary {
  tables: { table: string; rows: number }[];
  presentations: number;
  /** Presentations whose clicks this folder has no file for: their earlier click rows. */
  keptClicks: KeptActivity[];
  durationMs: number;
}

const BATCH = 5000;

/**
 * What OULAD's columns can hold (DATA.md, and the dataset paper): a value outside these is a
 * broken row, refused with its line rather than turned into features later (a length of 0
 * gives "weeks 1..0", a negative click count a negative total). Days are counted from the
 * presentation's start, which no presentation of the source runs MAX_DAYS past.
 */
const MAX_DAYS = 1000;
const DAY: Range = { min: -MAX_DAYS, max: MAX_DAYS };
const LENGTH: Range = { min: 1, max: MAX_DAYS };
const SHARE: Range = { min: 0, max: 100 }; // assessment weights and scores
const FLAG: Range = { min: 0, max: 1 };
/** Counts and ids are INTEGER columns in Postgres: a bigger value would fail its COPY later. */
const INT32_MAX = 2 ** 31 - 1;
const COUNT: Range = { min: 0, max: INT32_MAX };
const ID: Range = { min: 0, max: INT32_MAX };
const WEEK: Range = { min: 0, max: Math.ceil(MAX_DAYS / 7) };

/**
 * OULAD's closed lists. The labels and features compare these exactly (a "pass" would count as
 * a failure, an unknown education level as level 1), so another value is a broken row.
 */
const FINAL_RESULTS = ['Pass', 'Distinction', 'Fail', 'Withdrawn'];
const ASSESSMENT_TYPES = ['TMA', 'CMA', 'Exam'];
const GENDERS = ['M', 'F'];
const DISABILITY = ['Y', 'N'];
const EDUCATION = Object.keys(EDUCATION_LEVEL);
const AGE_BANDS = Object.keys(AGE_BAND);
/** Module codes join presentation keys with a dash (`AAA-2013J`) and lists with commas. */
const MODULE_CODE = /^[A-Za-z0-9_]{1,32}$/;

/**
 * Imports an OULAD folder (the seven original tables, with clicks in any number of
 * `studentVle*.csv` files) into a store in one transaction. The presentations listed in
 * `courses.csv` are replaced, so importing the same folder twice leaves the same rows; their
 * clicks are replaced only where the folder has click rows for them, so a folder that lacks
 * some click files (they are large, and often kept apart) does not wipe the clicks imported
 * before: those are kept, minus rows whose enrolment or site is gone, and the summary says so.
 * Exact duplicate click rows are kept: they are part of the original data.
 */
export async function importOulad(
  store: LearningStore,
  folder: string,
  opts: { signal?: AbortSignal; onProgress?: (e: { file: string; rows: number }) => void } = {},
): Promise<ImportSummary> {
  const started = performance.now();
  if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory()) {
    throw new AppError('IMPORT_FAILED', `import folder ${folder} does not exist or is not a folder`,
      { folder });
  }
  const vleFiles = fs.readdirSync(folder).filter((f) => /^studentVle.*\.csv$/i.test(f)).sort();
  await store.migrate();
  await refuseCopiedFiles(folder, vleFiles);
  const counts = new Map<LearningTable, number>();
  const writer = await store.beginImport();
  let keptClicks: KeptActivity[] = [];
  try {
    const sink = batcher(writer.insert.bind(writer), counts);
    const file = (name: string) => path.join(folder, name);
    const each = async (
      name: string, columns: readonly string[],
      fn: (rec: SourceRecord, f: string) => Promise<void> | void,
      beforeLastWrite?: () => Promise<void>,
    ) => {
      let rows = 0;
      for await (const rec of readRecords(file(name), columns, opts.signal)) {
        await fn(rec, file(name));
        rows++;
      }
      await beforeLastWrite?.();
      await sink.flush();
      opts.onProgress?.({ file: name, rows });
      log.debug('import.file', { file: name, rows });
    };

    const unique = uniqueKeys();

    // Presentations first: every other table must refer to one of them.
    const lengths = new Map<string, number>();
    const presentationRows: Cell[][] = [];
    await each('courses.csv', ['code_module', 'code_presentation', 'module_presentation_length'],
      (rec, f) => {
        const module = rec.get('code_module');
        const code = rec.get('code_presentation');
        if (!MODULE_CODE.test(module)) {
          throw new AppError('IMPORT_FAILED', `${path.basename(f)}, line ${rec.line}: `
            + `code_module "${module}" is not 1 to 32 letters, digits or _`,
          { file: f, line: rec.line, column: 'code_module' });
        }
        const key = presentationKey(module, code);
        unique(f, rec.line, 'presentation', key);
        const length = intField(rec, 'module_presentation_length', f, LENGTH);
        lengths.set(key, length);
        presentationRows.push([key, module, code, startDateAt(code, rec.line, f), length]);
      });
    await writer.replacePresentations([...lengths.keys()]);
    await sink.add('presentations', ...presentationRows);
    await sink.flush();

    const known = (rec: SourceRecord, f: string): string => {
      const key = presentationKey(rec.get('code_module'), rec.get('code_presentation'));
      if (!lengths.has(key)) {
        throw new AppError('IMPORT_FAILED', `${path.basename(f)}, line ${rec.line}: presentation `
          + `${key} is not in courses.csv`, { file: f, line: rec.line, presentation: key });
      }
      return key;
    };

    const assessmentPresentation = new Map<number, string>();
    const assessmentLine = new Map<number, number>();
    await each('assessments.csv', ['code_module', 'code_presentation', 'id_assessment',
      'assessment_type', 'date', 'weight'], (rec, f) => {
      const key = known(rec, f);
      const id = intField(rec, 'id_assessment', f, ID);
      unique(f, rec.line, 'assessment', id);
      assessmentPresentation.set(id, key);
      assessmentLine.set(id, rec.line);
      return sink.add('assessments', [id, key,
        categoryField(rec, 'assessment_type', f, ASSESSMENT_TYPES, { required: true }),
        optionalIntField(rec, 'date', f, DAY), optionalNumberField(rec, 'weight', f, SHARE) ?? 0]);
    }, async () => {
      // Assessment ids are unique across presentations; one a kept presentation already holds
      // (a module renamed since the last import) would fail the insert with no line to show.
      const [clash] = await writer.assessmentsHeldElsewhere([...assessmentPresentation.keys()]);
      if (clash) {
        const line = assessmentLine.get(clash.assessment)!;
        throw new AppError('IMPORT_FAILED', `assessments.csv, line ${line}: assessment `
          + `${clash.assessment} (${assessmentPresentation.get(clash.assessment)}) already belongs `
          + `to ${clash.presentation} in the store, which is not in this folder's courses.csv`,
        { file: file('assessments.csv'), line, ...clash });
      }
    });

    const sites = new Set<string>();
    await each('vle.csv', ['id_site', 'code_module', 'code_presentation', 'activity_type',
      'week_from', 'week_to'], (rec, f) => {
      const key = known(rec, f);
      const site = intField(rec, 'id_site', f, ID);
      unique(f, rec.line, 'site', `${key}/${site}`);
      sites.add(`${key}/${site}`);
      return sink.add('sites', [key, site, rec.get('activity_type'),
        optionalIntField(rec, 'week_from', f, WEEK), optionalIntField(rec, 'week_to', f, WEEK)]);
    });

    /** Registration and unregistration day by enrolment, with the line they came from. */
    const registration = new Map<string, [number | null, number | null, number]>();
    await each('studentRegistration.csv', ['code_module', 'code_presentation', 'id_student',
      'date_registration', 'date_unregistration'], (rec, f) => {
      const key = known(rec, f);
      const enrolment = `${key}/${intField(rec, 'id_student', f, ID)}`;
      unique(f, rec.line, 'registration', enrolment);
      registration.set(enrolment, [
        optionalIntField(rec, 'date_registration', f, DAY),
        optionalIntField(rec, 'date_unregistration', f, DAY),
        rec.line,
      ]);
    });

    const enrolled = new Set<string>();
    const isEnrolled = (rec: SourceRecord, f: string, key: string) => {
      const student = intField(rec, 'id_student', f, ID);
      if (!enrolled.has(`${key}/${student}`)) {
        throw new AppError('IMPORT_FAILED', `${path.basename(f)}, line ${rec.line}: student `
          + `${student} is not enrolled in ${key} (studentInfo.csv)`, { file: f, line: rec.line });
      }
      return student;
    };
    await each('studentInfo.csv', ['code_module', 'code_presentation', 'id_student', 'gender',
      'region', 'highest_education', 'imd_band', 'age_band', 'num_of_prev_attempts',
      'studied_credits', 'disability', 'final_result'], (rec, f) => {
      const key = known(rec, f);
      const student = intField(rec, 'id_student', f, ID);
      unique(f, rec.line, 'enrolment', `${key}/${student}`);
      enrolled.add(`${key}/${student}`);
      const [reg, unreg] = registration.get(`${key}/${student}`) ?? [null, null];
      return sink.add('enrolments', [key, student, categoryField(rec, 'gender', f, GENDERS),
        textField(rec, 'region'), categoryField(rec, 'highest_education', f, EDUCATION),
        imdBand(rec, f), categoryField(rec, 'age_band', f, AGE_BANDS),
        optionalIntField(rec, 'num_of_prev_attempts', f, COUNT),
        optionalIntField(rec, 'studied_credits', f, COUNT),
        categoryField(rec, 'disability', f, DISABILITY),
        categoryField(rec, 'final_result', f, FINAL_RESULTS), reg, unreg]);
    });
    if (enrolled.size === 0) {
      throw new AppError('IMPORT_FAILED', 'studentInfo.csv has no enrolments: there would be '
        + 'no one to score', { file: file('studentInfo.csv') });
    }
    // A registration is part of an enrolment: one without its studentInfo row would vanish.
    for (const [enrolment, [, , line]] of registration) {
      if (enrolled.has(enrolment)) continue;
      const [key, student] = enrolment.split('/');
      throw new AppError('IMPORT_FAILED', `studentRegistration.csv, line ${line}: student `
        + `${student} is not enrolled in ${key} (studentInfo.csv)`,
      { file: file('studentRegistration.csv'), line });
    }

    await each('studentAssessment.csv', ['id_assessment', 'id_student', 'date_submitted',
      'is_banked', 'score'], (rec, f) => {
      const id = intField(rec, 'id_assessment', f, ID);
      const key = assessmentPresentation.get(id);
      if (!key) {
        throw new AppError('IMPORT_FAILED', `${path.basename(f)}, line ${rec.line}: assessment `
          + `${id} is not in assessments.csv`, { file: f, line: rec.line });
      }
      const student = isEnrolled(rec, f, key);
      unique(f, rec.line, 'submission', `${id}/${student}`);
      return sink.add('submissions', [id, key, student,
        intField(rec, 'date_submitted', f, DAY), intField(rec, 'is_banked', f, FLAG),
        optionalNumberField(rec, 'score', f, SHARE)]);
    });

    const clicked = new Set<string>();
    for (const name of vleFiles) {
      await each(name, ['code_module', 'code_presentation', 'id_student', 'id_site', 'date',
        'sum_click'], async (rec, f) => {
        const key = known(rec, f);
        if (!clicked.has(key)) {
          clicked.add(key);
          await writer.replaceActivity(key);
        }
        const site = intField(rec, 'id_site', f, ID);
        if (!sites.has(`${key}/${site}`)) {
          throw new AppError('IMPORT_FAILED', `${path.basename(f)}, line ${rec.line}: site `
            + `${site} is not in vle.csv for ${key}`, { file: f, line: rec.line });
        }
        return sink.add('activity', [key, isEnrolled(rec, f, key), site,
          intField(rec, 'date', f, DAY), intField(rec, 'sum_click', f, COUNT)]);
      });
    }
    keptClicks = await writer.keepActivity([...lengths.keys()].filter((k) => !clicked.has(k))
      .sort());
    await writer.commit();
  } catch (error) {
    await writer.rollback();
    throw toAppError(error);
  }

  const durationMs = performance.now() - started;
  const tables = ['presentations', 'assessments', 'sites', 'enrolments', 'submissions', 'activity']
    .map((table) => ({ table, rows: counts.get(table as LearningTable) ?? 0 }));
  log.info('import.done',
    { folder, durationMs: Math.round(durationMs), vleFiles: vleFiles.length, keptClicks });
  return { tables, presentations: counts.get('presentations') ?? 0, keptClicks, durationMs };
}

/** An IMD band as OULAD writes it (`0-10%` … `90-100%`), or empty; else the row is refused. */
function imdBand(rec: SourceRecord, file: string): string | null {
  const band = textField(rec, 'imd_band');
  if (band !== null && parseImdBand(band) === undefined) {
    throw new AppError('IMPORT_FAILED', `${path.basename(file)}, line ${rec.line}: imd_band `
      + `"${band}" is not one of the bands 0-10% … 90-100%`,
    { file, line: rec.line, column: 'imd_band' });
  }
  return band;
}

/**
 * Refuses a second row with the same key, naming its file and line, before the database's own
 * constraint would fail a whole batch without saying which row.
 */
function uniqueKeys() {
  const seen = new Map<string, Map<string | number, number>>();
  return (file: string, line: number, what: string, key: string | number): void => {
    const lines = seen.get(what) ?? new Map<string | number, number>();
    seen.set(what, lines);
    const first = lines.get(key);
    if (first !== undefined) {
      throw new AppError('IMPORT_FAILED', `${path.basename(file)}, line ${line}: ${what} ${key} `
        + `appears twice (first on line ${first})`, { file, line, key });
    }
    lines.set(key, line);
  };
}

function startDateAt(code: string, line: number, file: string): string {
  try {
    return presentationStartDate(code);
  } catch (error) {
    throw new AppError('IMPORT_FAILED', `${path.basename(file)}, line ${line}: `
      + (error as Error).message, { file, line });
  }
}

/** Collects rows per table and writes them in batches, counting what was written. */
function batcher(
  insert: (table: LearningTable, rows: Cell[][]) => Promise<void>,
  counts: Map<LearningTable, number>,
) {
  const pending = new Map<LearningTable, Cell[][]>();
  return {
    async add(table: LearningTable, ...rows: Cell[][]) {
      const list = pending.get(table) ?? [];
      list.push(...rows);
      pending.set(table, list);
      if (list.length >= BATCH) await this.flushTable(table);
    },
    async flushTable(table: LearningTable) {
      const list = pending.get(table);
      if (!list?.length) return;
      pending.set(table, []);
      await insert(table, list);
      counts.set(table, (counts.get(table) ?? 0) + list.length);
    },
    async flush() {
      for (const table of pending.keys()) await this.flushTable(table);
    },
  };
}
