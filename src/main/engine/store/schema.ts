import type { TableSet } from './tables';

export type Dialect = 'sqlite' | 'postgres';

/**
 * The canonical learning-data schema (docs/data-model.md explains it for schools mapping their
 * own LMS onto it). Days are integers relative to the presentation's start, as in OULAD; the
 * presentation's calendar start date turns them into dates.
 */
export function learningSchema(t: TableSet, dialect: Dialect): string[] {
  const real = dialect === 'postgres' ? 'DOUBLE PRECISION' : 'REAL';
  return [
    `CREATE TABLE IF NOT EXISTS ${t.presentations} (
      presentation TEXT PRIMARY KEY,
      module TEXT NOT NULL,
      code TEXT NOT NULL,
      start_date TEXT NOT NULL,
      length_days INTEGER NOT NULL
    )`,
    `CREATE TABLE IF NOT EXISTS ${t.enrolments} (
      presentation TEXT NOT NULL,
      student INTEGER NOT NULL,
      gender TEXT,
      region TEXT,
      highest_education TEXT,
      imd_band TEXT,
      age_band TEXT,
      prev_attempts INTEGER,
      studied_credits INTEGER,
      disability TEXT,
      final_result TEXT,
      registration_day INTEGER,
      unregistration_day INTEGER,
      PRIMARY KEY (presentation, student)
    )`,
    `CREATE INDEX IF NOT EXISTS ${t.enrolments}_student ON ${t.enrolments} (student)`,
    `CREATE TABLE IF NOT EXISTS ${t.sites} (
      presentation TEXT NOT NULL,
      site INTEGER NOT NULL,
      activity_type TEXT NOT NULL,
      week_from INTEGER,
      week_to INTEGER,
      PRIMARY KEY (presentation, site)
    )`,
    // No key: exact duplicate click rows are real data and are kept.
    `CREATE TABLE IF NOT EXISTS ${t.activity} (
      presentation TEXT NOT NULL,
      student INTEGER NOT NULL,
      site INTEGER NOT NULL,
      day INTEGER NOT NULL,
      clicks INTEGER NOT NULL
    )`,
    `CREATE INDEX IF NOT EXISTS ${t.activity}_enrolment_day
      ON ${t.activity} (presentation, student, day)`,
    `CREATE TABLE IF NOT EXISTS ${t.assessments} (
      assessment INTEGER PRIMARY KEY,
      presentation TEXT NOT NULL,
      assessment_type TEXT NOT NULL,
      due_day INTEGER,
      weight ${real} NOT NULL
    )`,
    `CREATE INDEX IF NOT EXISTS ${t.assessments}_presentation ON ${t.assessments} (presentation)`,
    `CREATE TABLE IF NOT EXISTS ${t.submissions} (
      assessment INTEGER NOT NULL,
      presentation TEXT NOT NULL,
      student INTEGER NOT NULL,
      day_submitted INTEGER NOT NULL,
      is_banked INTEGER NOT NULL,
      score ${real},
      PRIMARY KEY (assessment, student)
    )`,
    `CREATE INDEX IF NOT EXISTS ${t.submissions}_enrolment
      ON ${t.submissions} (presentation, student)`,
  ];
}

/** Column order of each learning table, shared by the importer's inserts and COPY. */
export const LEARNING_COLUMNS = {
  presentations: ['presentation', 'module', 'code', 'start_date', 'length_days'],
  enrolments: [
    'presentation', 'student', 'gender', 'region', 'highest_education', 'imd_band', 'age_band',
    'prev_attempts', 'studied_credits', 'disability', 'final_result', 'registration_day',
    'unregistration_day',
  ],
  sites: ['presentation', 'site', 'activity_type', 'week_from', 'week_to'],
  activity: ['presentation', 'student', 'site', 'day', 'clicks'],
  assessments: ['assessment', 'presentation', 'assessment_type', 'due_day', 'weight'],
  submissions: ['assessment', 'presentation', 'student', 'day_submitted', 'is_banked', 'score'],
} as const;

export type LearningTable = keyof typeof LEARNING_COLUMNS;

/** LEARNING_COLUMNS keyed by the table names of one table set. */
export function learningColumnsByTable(t: TableSet): Record<string, readonly string[]> {
  return Object.fromEntries(Object.entries(LEARNING_COLUMNS)
    .map(([table, columns]) => [t[table as LearningTable], columns]));
}
export type Cell = string | number | null;
