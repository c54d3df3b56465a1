import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../../shared/errors';
import { MIGRATIONS, MIGRATIONS_TABLE, refuseNewerSchema } from './migrations';
import {
  learningColumnsByTable, LEARNING_COLUMNS, type Cell, type LearningTable,
} from './schema';
import { requireColumns, sqliteColumns } from './table-columns';
import type {
  Enrolment, EnrolmentData, ImportWriter, KeptActivity, LearningStore, Presentation,
} from './store';
import { DEFAULT_TABLES, type TableSet } from './tables';
import { CohortCache, type CohortActivity, type CohortContext } from '../features/cohort';
import type { ActivityRow } from './activity-rows';
import { assemble, toAssessment, toEnrolment, toPresentation, type Row } from './rows';

const BUSY_TIMEOUT_MS = 10_000;

/** The local store: one SQLite file, the offline cache and the default target. */
export class SqliteStore implements LearningStore {
  readonly kind = 'sqlite' as const;
  readonly db: Database.Database;
  readonly label: string;
  private readonly cohorts = new CohortCache();
  private readonly presentations = new Map<string, Presentation>();
  /** `PRAGMA data_version` when the caches were last checked; see dropStaleCache. */
  private cachedVersion: number | undefined;

  constructor(
    readonly file: string,
    readonly tables: TableSet = DEFAULT_TABLES,
  ) {
    this.label = `the SQLite store ${file}`;
    try {
      if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
      // Another process's writer (an import holds the lock for seconds) is waited for, up to
      // this long, before STORE_FAILED; reads never wait under WAL.
      this.db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
      // WAL lets a reader (the window) look while a job writes; NORMAL sync is safe under WAL.
      // This is also the first read of the file, so a file that is not a database fails here.
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
    } catch (error) {
      throw new AppError('STORE_FAILED',
        `cannot open the SQLite store ${file}: ${(error as Error).message}`, { file });
    }
  }

  async migrate(): Promise<void> {
    this.db.exec(MIGRATIONS_TABLE);
    const applied = new Set(
      (this.db.prepare('SELECT version FROM schema_migrations WHERE profile = ?')
        .all(this.tables.profile) as { version: number }[]).map((r) => r.version),
    );
    refuseNewerSchema(applied, this.label);
    const pending = MIGRATIONS.filter((m) => !applied.has(m.version));
    if (pending.length === 0) return;
    // Before the migrations: their CREATE INDEX would fail first on a foreign table, unnamed.
    const needed = learningColumnsByTable(this.tables);
    requireColumns(this.label, needed, sqliteColumns(this.db, Object.keys(needed)));
    for (const m of pending) {
      this.db.transaction(() => {
        for (const sql of m.statements(this.tables, 'sqlite')) this.db.exec(sql);
        this.db.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?, ?)')
          .run(this.tables.profile, m.version, m.name, new Date().toISOString());
      })();
    }
  }

  async isEmpty(): Promise<boolean> {
    return this.db.prepare(`SELECT 1 FROM ${this.tables.enrolments} LIMIT 1`).get() === undefined;
  }

  async findEnrolments(
    student: number,
    opts: { prefix: boolean; limit: number },
  ): Promise<Enrolment[]> {
    const t = this.tables;
    const rows = opts.prefix
      ? this.db.prepare(`SELECT * FROM ${t.enrolments} WHERE CAST(student AS TEXT) LIKE ?
          ORDER BY student, presentation LIMIT ?`).all(`${student}%`, opts.limit)
      : this.db.prepare(`SELECT * FROM ${t.enrolments} WHERE student = ?
          ORDER BY presentation LIMIT ?`).all(student, opts.limit);
    return (rows as Row[]).map(toEnrolment);
  }

  async presentation(key: string): Promise<Presentation | undefined> {
    // Cached with the cohorts: its last day with data is a scan of the presentation's clicks.
    this.dropStaleCache();
    const cached = this.presentations.get(key);
    if (cached) return cached;
    const t = this.tables;
    const p = this.db.prepare(`SELECT * FROM ${t.presentations} WHERE presentation = ?`)
      .get(key) as Row | undefined;
    if (!p) return undefined;
    const assessments = (this.db.prepare(`SELECT * FROM ${t.assessments}
      WHERE presentation = ? ORDER BY due_day, assessment`).all(key) as Row[]).map(toAssessment);
    const last = this.db.prepare(`SELECT
        (SELECT MAX(day) FROM ${t.activity} WHERE presentation = ?) AS a,
        (SELECT MAX(day_submitted) FROM ${t.submissions} WHERE presentation = ?) AS s`)
      .get(key, key) as { a: number | null; s: number | null };
    const presentation = toPresentation(p, assessments, last.a, last.s);
    this.presentations.set(key, presentation);
    return presentation;
  }

  async listPresentations(): Promise<string[]> {
    return (this.db.prepare(`SELECT presentation FROM ${this.tables.presentations}
      ORDER BY presentation`).all() as { presentation: string }[]).map((r) => r.presentation);
  }

  async enrolledStudents(presentation: string): Promise<number[]> {
    return (this.db.prepare(`SELECT student FROM ${this.tables.enrolments}
      WHERE presentation = ? ORDER BY student`).all(presentation) as { student: number }[])
      .map((r) => r.student);
  }

  async enrolmentData(
    presentationKey: string,
    students: number[],
    upToDay: number,
  ): Promise<EnrolmentData[]> {
    const t = this.tables;
    const presentation = await this.presentation(presentationKey);
    if (!presentation || students.length === 0) return [];
    const ids = JSON.stringify(students);
    const enrolments = (this.db.prepare(`SELECT * FROM ${t.enrolments}
      WHERE presentation = ? AND student IN (SELECT value FROM json_each(?))
      ORDER BY student`).all(presentationKey, ids) as Row[]).map(toEnrolment);
    const activity = this.db.prepare(`SELECT a.student, a.day, a.clicks, s.activity_type
      FROM ${t.activity} a JOIN ${t.sites} s ON s.presentation = a.presentation AND s.site = a.site
      WHERE a.presentation = ? AND a.student IN (SELECT value FROM json_each(?)) AND a.day <= ?
      ORDER BY a.student, a.day`).all(presentationKey, ids, upToDay) as ActivityRow[];
    const submissions = this.db.prepare(`SELECT * FROM ${t.submissions}
      WHERE presentation = ? AND student IN (SELECT value FROM json_each(?))
        AND day_submitted <= ?`).all(presentationKey, ids, upToDay) as Row[];
    return assemble(presentation, enrolments, activity, submissions,
      await this.cohort(presentationKey));
  }

  /** Drops cached presentations and cohorts. */
  forgetCache(): void {
    this.cohorts.clear();
    this.presentations.clear();
  }

  /**
   * Forgets the caches when another connection has committed to the file since the last
   * check: an import by another process (a CLI import while `serve` or the window runs) or by
   * the engine's own import connection. SQLite changes `data_version` on exactly those
   * commits, not on this connection's own, and reading it costs about a microsecond.
   */
  private dropStaleCache(): void {
    const version = this.db.pragma('data_version', { simple: true }) as number;
    if (version !== this.cachedVersion) this.forgetCache();
    this.cachedVersion = version;
  }

  /** The presentation's cohort (every enrolment's clicks per day), read once and cached. */
  private cohort(presentation: string): Promise<CohortContext> {
    this.dropStaleCache();
    return this.cohorts.get(presentation, async () => ({
      students: await this.enrolledStudents(presentation),
      rows: this.db.prepare(`SELECT student, day, SUM(clicks) AS clicks FROM ${this.tables.activity}
        WHERE presentation = ? GROUP BY student, day`).all(presentation) as CohortActivity['rows'],
    }));
  }

  async beginImport(): Promise<ImportWriter> {
    const db = this.db;
    const t = this.tables;
    const inserts = new Map<LearningTable, Database.Statement>();
    const insertFor = (table: LearningTable): Database.Statement => {
      let stmt = inserts.get(table);
      if (!stmt) {
        const cols = LEARNING_COLUMNS[table];
        stmt = db.prepare(`INSERT INTO ${t[table]} (${cols.join(', ')})
          VALUES (${cols.map(() => '?').join(', ')})`);
        inserts.set(table, stmt);
      }
      return stmt;
    };
    db.exec('BEGIN IMMEDIATE');
    return {
      async replacePresentations(keys) {
        const list = JSON.stringify(keys);
        for (const table of ['submissions', 'assessments', 'sites', 'enrolments',
          'presentations'] as const) {
          db.prepare(`DELETE FROM ${t[table]} WHERE presentation IN
            (SELECT value FROM json_each(?))`).run(list);
        }
      },
      async replaceActivity(key) {
        db.prepare(`DELETE FROM ${t.activity} WHERE presentation = ?`).run(key);
      },
      async keepActivity(keys) {
        const kept: KeptActivity[] = [];
        for (const key of keys) {
          const dropped = db.prepare(`DELETE FROM ${t.activity} AS a WHERE presentation = ?
            AND (NOT EXISTS (SELECT 1 FROM ${t.enrolments} e
                  WHERE e.presentation = a.presentation AND e.student = a.student)
              OR NOT EXISTS (SELECT 1 FROM ${t.sites} s
                  WHERE s.presentation = a.presentation AND s.site = a.site))`).run(key).changes;
          const { n } = db.prepare(`SELECT COUNT(*) AS n FROM ${t.activity}
            WHERE presentation = ?`).get(key) as { n: number };
          if (n + dropped > 0) kept.push({ presentation: key, kept: n, dropped });
        }
        return kept;
      },
      async assessmentsHeldElsewhere(ids) {
        return db.prepare(`SELECT assessment, presentation FROM ${t.assessments}
          WHERE assessment IN (SELECT value FROM json_each(?)) ORDER BY assessment`)
          .all(JSON.stringify(ids)) as { assessment: number; presentation: string }[];
      },
      async insert(table, rows) {
        const stmt = insertFor(table);
        for (const row of rows) stmt.run(row);
      },
      commit: async () => {
        db.exec('COMMIT');
        this.forgetCache();
      },
      async rollback() {
        if (db.inTransaction) db.exec('ROLLBACK');
      },
    };
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
