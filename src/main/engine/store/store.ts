import { AppError } from '../../../shared/errors';
import type { CohortContext } from '../features/cohort';
import type { Cell, LearningTable } from './schema';
import type { TableSet } from './tables';

/** A presentation (one run of a module) with what scoring needs to know about it. */
export interface Presentation {
  presentation: string;
  module: string;
  code: string;
  /** Calendar date of day 0, `YYYY-MM-DD`. */
  startDate: string;
  lengthDays: number;
  /** Whether any click data was imported for this presentation. */
  hasActivity: boolean;
  /** The last day with any click of any student: where its click data ends; null without. */
  lastActivityDay: number | null;
  /** The last day on which the presentation has clicks or submissions; null when it has none. */
  lastDataDay: number | null;
  assessments: Assessment[];
}

export interface Assessment {
  assessment: number;
  type: string;
  dueDay: number | null;
  weight: number;
}

export interface Enrolment {
  presentation: string;
  student: number;
  gender: string | null;
  region: string | null;
  highestEducation: string | null;
  imdBand: string | null;
  ageBand: string | null;
  prevAttempts: number | null;
  studiedCredits: number | null;
  disability: string | null;
  finalResult: string | null;
  registrationDay: number | null;
  unregistrationDay: number | null;
}

export interface Submission {
  assessment: number;
  daySubmitted: number;
  isBanked: boolean;
  score: number | null;
}

/** One enrolment's click rows, sorted by day, as parallel columns (cheap to scan 70 times). */
export interface ActivityColumns {
  day: Int32Array;
  clicks: Int32Array;
  activityType: string[];
}

/** Everything the feature code reads about one enrolment, up to a day. */
export interface EnrolmentData {
  enrolment: Enrolment;
  presentation: Presentation;
  activity: ActivityColumns;
  submissions: Submission[];
  /** The presentation's cohort, for features that rank a student among the others. */
  cohort: CohortContext;
}

/**
 * Writes one import in a single transaction, so a failure leaves the store as it was: no
 * half-written presentation.
 */
/** Click rows of a presentation left from an earlier import (see ImportWriter.keepActivity). */
export interface KeptActivity {
  presentation: string;
  /** Rows kept. */
  kept: number;
  /** Rows removed because their enrolment or site is not in the new import. */
  dropped: number;
}

export interface ImportWriter {
  /**
   * Deletes these presentations' rows from every learning table but `activity` (a re-import
   * replaces, never doubles). Clicks are replaced per presentation by replaceActivity, because
   * a folder may hold the other tables whole but click files for only some presentations.
   */
  replacePresentations(keys: string[]): Promise<void>;
  /** Deletes a presentation's click rows; the import calls it before its first new click row. */
  replaceActivity(key: string): Promise<void>;
  /**
   * For presentations the import brought no click rows for: keeps their earlier click rows,
   * minus those whose enrolment or site the new tables no longer have, and counts both.
   */
  keepActivity(keys: string[]): Promise<KeptActivity[]>;
  /** Of these assessment ids, those the store holds for a presentation this import keeps. */
  assessmentsHeldElsewhere(ids: number[]): Promise<{ assessment: number; presentation: string }[]>;
  insert(table: LearningTable, rows: Cell[][]): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

/** What the engine needs from a learning-data store, implemented for SQLite and Postgres. */
export interface LearningStore {
  readonly kind: 'sqlite' | 'postgres';
  readonly tables: TableSet;
  /** The store as a message names it, e.g. `the SQLite store /home/a/edutech.db`; no secret. */
  readonly label: string;
  /** Creates or migrates the tables of this store's table set. */
  migrate(): Promise<void>;
  isEmpty(): Promise<boolean>;
  findEnrolments(student: number, opts: { prefix: boolean; limit: number }): Promise<Enrolment[]>;
  presentation(key: string): Promise<Presentation | undefined>;
  listPresentations(): Promise<string[]>;
  /** Students enrolled in a presentation, ascending. */
  enrolledStudents(presentation: string): Promise<number[]>;
  /** One read for a batch of enrolments of one presentation; rows after `upToDay` are left out. */
  enrolmentData(
    presentation: string, students: number[], upToDay: number,
  ): Promise<EnrolmentData[]>;
  beginImport(): Promise<ImportWriter>;
  close(): Promise<void>;
}

/**
 * EMPTY_STORE when nothing was imported into this store's table set, naming the store and the
 * import command that fills it (with the target and profile the caller used).
 */
export async function requireData(store: LearningStore): Promise<void> {
  if (!(await store.isEmpty())) return;
  const profile = store.tables.profile === 'default' ? ''
    : ` --profile ${store.tables.profile}`;
  const target = store.kind === 'postgres' ? ' --target postgres' : '';
  const tables = profile ? ` (the ${store.tables.profile} tables)` : '';
  throw new AppError('EMPTY_STORE', `${store.label}${tables} holds no data yet: run `
    + `\`edutech import oulad <folder>${target}${profile}\` first`,
  { store: store.label, profile: store.tables.profile });
}

/** How many known presentations an UNKNOWN_PRESENTATION message lists before it cuts. */
const LISTED_PRESENTATIONS = 30;

/**
 * UNKNOWN_PRESENTATION for any of `keys` the store does not have, listing those it has; else
 * every presentation of the store, in its order.
 */
export async function requirePresentations(
  store: LearningStore,
  keys: readonly string[] = [],
): Promise<string[]> {
  const known = await store.listPresentations();
  const unknown = keys.filter((k) => !known.includes(k));
  if (unknown.length) {
    const listed = known.slice(0, LISTED_PRESENTATIONS).join(', ')
      + (known.length > LISTED_PRESENTATIONS ? `, … (${known.length} in all)` : '');
    throw new AppError('UNKNOWN_PRESENTATION', `unknown presentation${unknown.length > 1
      ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')} (${store.label} has ${listed})`,
    { presentations: unknown, known });
  }
  return known;
}
