import { CohortCache, type CohortContext } from '../features/cohort';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { Client, Pool, type PoolClient, type QueryResult } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { AppError } from '../../../shared/errors';
import { log, redact } from '../log';
import { MIGRATIONS, MIGRATIONS_TABLE, refuseNewerSchema } from './migrations';
import {
  assembleGrouped, groupUnsortedActivity, toAssessment, toEnrolment, toPresentation, type Row,
} from './rows';
import {
  learningColumnsByTable, LEARNING_COLUMNS, type Cell, type LearningTable,
} from './schema';
import { pgColumns, requireColumns } from './table-columns';
import type {
  Enrolment, EnrolmentData, ImportWriter, KeptActivity, LearningStore, Presentation,
} from './store';
import { DEFAULT_TABLES, type TableSet } from './tables';

/**
 * A pool for `url`, or for the standard PG* variables when no URL is given (pg reads PGHOST,
 * PGUSER, PGPASSWORD, … itself). The URL is kept inside the pool only: it is never logged.
 */
export function createPool(url?: string): Pool {
  const pool = new Pool({ connectionString: url, max: 4, application_name: 'edutech' });
  // An idle client can lose its server (restart, network); without a listener that error
  // would crash the process instead of failing the next query.
  pool.on('error', (error) => log.warn('pg.idle_error', { message: safeMessage(error, url) }));
  return pool;
}

/**
 * A connection of its own, outside the pool, for a session that lasts as long as a job (a
 * backfill's run lock): held from the pool, a few such jobs would leave none for the queries.
 * The listener keeps a lost connection from crashing the process; `onLost` hears of it.
 */
async function connectOutsidePool(url: string | undefined, onLost: (error: Error) => void):
  Promise<Client> {
  const client = new Client({ connectionString: url, application_name: 'edutech' });
  client.on('error', (error) => {
    log.warn('pg.connection_lost', { message: safeMessage(error, url) });
    onLost(error);
  });
  try {
    await client.connect();
  } catch (error) {
    throw storeFailed(error, 'connection', url);
  }
  return client;
}

/** `db on host:port` of a URL, or of the PG* variables pg falls back to without one. */
function where(url: string | undefined, env = process.env): string {
  let host = env.PGHOST ?? 'localhost';
  let port = env.PGPORT ?? '5432';
  let database = env.PGDATABASE ?? env.PGUSER ?? env.USER ?? 'postgres';
  if (url !== undefined) {
    try {
      const parsed = new URL(url);
      host = parsed.hostname || host;
      port = parsed.port || '5432';
      database = decodeURIComponent(parsed.pathname.slice(1)) || database;
    } catch {
      return '(as the connection URL names it)';
    }
  }
  return `${database} on ${host}:${port}`;
}

/** Clients of a pool that already have an error listener (they are reused, so only once). */
const guarded = new WeakSet<PoolClient>();

/** An error's message with any password removed: the URL's, PGPASSWORD, and URL-like text. */
export function safeMessage(error: unknown, url?: string): string {
  let message = error instanceof Error ? error.message : String(error);
  const secrets = [process.env.PGPASSWORD, passwordOf(url)].filter((s): s is string => !!s);
  for (const secret of secrets) message = message.split(secret).join('***');
  return String(redact(message));
}

function passwordOf(url?: string): string | undefined {
  if (!url) return undefined;
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}

/** Wraps a driver failure as STORE_FAILED, keeping Postgres' SQLSTATE for the caller. */
export function storeFailed(error: unknown, what: string, url?: string): AppError {
  if (error instanceof AppError) return error;
  const code = (error as { code?: unknown }).code;
  // The pool connects on its first query, so an unreachable server shows up as a failed
  // query too: Node's socket codes (ECONNREFUSED, ENOTFOUND, …) are longer than a SQLSTATE.
  const unreachable = typeof code === 'string' && /^E[A-Z]{5,}$/.test(code);
  const hint = (what === 'connection' || unreachable) && !url
    ? ' (no --pg URL or EDUTECH_PG_URL given, so the PG* variables and their defaults were used)'
    : '';
  return new AppError('STORE_FAILED',
    `Postgres ${what} failed: ${safeMessage(error, url)}${hint}`,
    typeof code === 'string' ? { sqlstate: code } : {});
}

/** One value in COPY text format: `\N` for null, backslash escapes for the separators. */
export function copyValue(v: Cell): string {
  if (v === null) return '\\N';
  if (typeof v === 'number') return String(v);
  return /[\\\t\n\r]/.test(v)
    ? v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
    : v;
}

/**
 * Streams rows into a table with COPY: text format (tab-separated lines, each ending in \n) or
 * binary format (whole COPY stream, header and trailer included).
 */
export async function copyInto(
  client: PoolClient,
  table: string,
  columns: readonly string[],
  data: string | (string | Buffer)[],
  format: 'text' | 'binary' = 'text',
): Promise<void> {
  const sql = `COPY ${table} (${columns.join(', ')}) FROM STDIN`
    + (format === 'binary' ? ' WITH (FORMAT binary)' : '');
  await pipeline(Readable.from(typeof data === 'string' ? [data] : data),
    client.query(copyFrom(sql)));
}

/** The learning store on a Postgres server: same schema and migrations as SQLite. */
export class PgStore implements LearningStore {
  readonly kind = 'postgres' as const;
  /** Database, host and port; never the whole URL, which may hold a password. */
  readonly label: string;
  private readonly cohorts = new CohortCache();

  constructor(
    readonly pool: Pool,
    readonly tables: TableSet = DEFAULT_TABLES,
    /** Only to word errors without the password; the pool already holds the connection. */
    private readonly url?: string,
    private readonly ownsPool = true,
  ) {
    this.label = `the Postgres database ${where(url)}`;
  }

  /** A store on `url` (or PG* variables), with a pool of its own. */
  static connect(url: string | undefined, tables: TableSet = DEFAULT_TABLES): PgStore {
    // pg would read anything else as a host name and fail later on a name lookup.
    if (url !== undefined && !/^(postgres|postgresql|socket):/i.test(url)) {
      throw new AppError('BAD_INPUT', 'the Postgres URL (--pg or EDUTECH_PG_URL) must start '
        + 'with postgres:// or postgresql://; the value given does not (it is not repeated '
        + 'here, as it may hold a password)');
    }
    return new PgStore(createPool(url), tables, url);
  }

  /** The same pool for another table set (one connection pool per server, not per profile). */
  withTables(tables: TableSet): PgStore {
    return new PgStore(this.pool, tables, this.url, false);
  }

  async query<T = Row>(sql: string, params: unknown[] = []): Promise<T[]> {
    try {
      return (await this.pool.query(sql, params)).rows as T[];
    } catch (error) {
      throw storeFailed(error, 'query', this.url);
    }
  }

  /** A client for a transaction; connection failures come out as STORE_FAILED. */
  async connect(): Promise<PoolClient> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw storeFailed(error, 'connection', this.url);
    }
    // A connection lost while checked out (between an import's COPYs, say) emits 'error';
    // unheard, that would crash the process. Its next query fails as STORE_FAILED instead.
    if (!guarded.has(client)) {
      guarded.add(client);
      const url = this.url;
      client.on('error', (error) =>
        log.warn('pg.connection_lost', { message: safeMessage(error, url) }));
    }
    return client;
  }

  /** A connection outside the pool, for a session as long as a job (see connectOutsidePool). */
  connectOwn(onLost: (error: Error) => void): Promise<Client> {
    return connectOutsidePool(this.url, onLost);
  }

  /** Runs `fn` in one transaction on one client; any failure rolls it back. */
  async transaction<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw storeFailed(error, 'transaction', this.url);
    } finally {
      client.release();
    }
  }

  async migrate(): Promise<void> {
    await this.transaction(async (client) => {
      // Two processes migrating the same server at once would race on CREATE TABLE.
      await client.query("SELECT pg_advisory_xact_lock(hashtext('edutech.migrate'))");
      await client.query(MIGRATIONS_TABLE);
      const applied = new Set((await client.query(
        'SELECT version FROM schema_migrations WHERE profile = $1', [this.tables.profile],
      )).rows.map((r: { version: number }) => r.version));
      refuseNewerSchema(applied, this.label);
      const pending = MIGRATIONS.filter((m) => !applied.has(m.version));
      if (pending.length === 0) return;
      // Before the migrations: their CREATE INDEX would fail first on a foreign table, unnamed.
      const needed = learningColumnsByTable(this.tables);
      requireColumns(this.label, needed, await pgColumns(client, Object.keys(needed)));
      for (const m of pending) {
        for (const sql of m.statements(this.tables, 'postgres')) await client.query(sql);
        await client.query('INSERT INTO schema_migrations VALUES ($1, $2, $3, $4)',
          [this.tables.profile, m.version, m.name, new Date().toISOString()]);
      }
    });
  }

  async isEmpty(): Promise<boolean> {
    try {
      return (await this.query(`SELECT 1 FROM ${this.tables.enrolments} LIMIT 1`)).length === 0;
    } catch (error) {
      // 42P01 undefined_table: nothing was ever imported into this database (or table set).
      if (error instanceof AppError && error.details.sqlstate === '42P01') return true;
      throw error;
    }
  }

  async findEnrolments(
    student: number,
    opts: { prefix: boolean; limit: number },
  ): Promise<Enrolment[]> {
    const t = this.tables;
    const rows = opts.prefix
      ? await this.query(`SELECT * FROM ${t.enrolments} WHERE CAST(student AS TEXT) LIKE $1
          ORDER BY student, presentation LIMIT $2`, [`${student}%`, opts.limit])
      : await this.query(`SELECT * FROM ${t.enrolments} WHERE student = $1
          ORDER BY presentation LIMIT $2`, [student, opts.limit]);
    return rows.map(toEnrolment);
  }

  async presentation(key: string): Promise<Presentation | undefined> {
    const t = this.tables;
    const [p, assessments, last] = await Promise.all([
      this.query(`SELECT * FROM ${t.presentations} WHERE presentation = $1`, [key]),
      this.query(`SELECT * FROM ${t.assessments} WHERE presentation = $1
        ORDER BY due_day, assessment`, [key]),
      this.query<{ a: number | null; s: number | null }>(`SELECT
        (SELECT MAX(day) FROM ${t.activity} WHERE presentation = $1) AS a,
        (SELECT MAX(day_submitted) FROM ${t.submissions} WHERE presentation = $1) AS s`, [key]),
    ]);
    if (!p[0]) return undefined;
    return toPresentation(p[0], assessments.map(toAssessment), last[0]!.a, last[0]!.s);
  }

  async listPresentations(): Promise<string[]> {
    return (await this.query<{ presentation: string }>(`SELECT presentation
      FROM ${this.tables.presentations} ORDER BY presentation`)).map((r) => r.presentation);
  }

  async enrolledStudents(presentation: string): Promise<number[]> {
    return (await this.query<{ student: number }>(`SELECT student FROM ${this.tables.enrolments}
      WHERE presentation = $1 ORDER BY student`, [presentation])).map((r) => r.student);
  }

  async enrolmentData(
    presentationKey: string,
    students: number[],
    upToDay: number,
  ): Promise<EnrolmentData[]> {
    const t = this.tables;
    if (students.length === 0) return [];
    // The reads are independent: the pool runs them on separate connections at once. Click
    // rows come unsorted and without the sites join: sorting ~100k rows per batch on the
    // server (spilling past work_mem) cost more than grouping them here (rows.ts).
    const [presentation, enrolments, activity, sites, submissions] = await Promise.all([
      this.presentation(presentationKey),
      this.query(`SELECT * FROM ${t.enrolments} WHERE presentation = $1
        AND student = ANY($2::int[]) ORDER BY student`, [presentationKey, students]),
      this.rows(`SELECT student, day, clicks, site FROM ${t.activity}
        WHERE presentation = $1 AND student = ANY($2::int[]) AND day <= $3`,
      [presentationKey, students, upToDay]),
      this.query<{ site: number; activity_type: string }>(`SELECT site, activity_type
        FROM ${t.sites} WHERE presentation = $1`, [presentationKey]),
      this.query(`SELECT * FROM ${t.submissions} WHERE presentation = $1
        AND student = ANY($2::int[]) AND day_submitted <= $3`,
      [presentationKey, students, upToDay]),
    ]);
    if (!presentation) return [];
    const siteTypes = new Map(sites.map((s) => [Number(s.site), s.activity_type]));
    return assembleGrouped(presentation, enrolments.map(toEnrolment),
      groupUnsortedActivity(activity, siteTypes), submissions, await this.cohort(presentationKey));
  }

  /** The presentation's cohort (every enrolment's clicks per day), read once and cached. */
  private cohort(presentation: string): Promise<CohortContext> {
    return this.cohorts.get(presentation, async () => ({
      students: await this.enrolledStudents(presentation),
      rows: (await this.rows(`SELECT student, day, SUM(clicks)::float8 FROM ${this.tables.activity}
        WHERE presentation = $1 GROUP BY student, day`, [presentation]))
        .map(([student, day, clicks]) => ({ student: student!, day: day!, clicks: clicks! })),
    }));
  }

  /** A query's rows as arrays (no per-row objects), for the large reads. */
  private async rows(sql: string, params: unknown[]): Promise<number[][]> {
    try {
      return (await this.pool.query<number[]>({ text: sql, values: params, rowMode: 'array' }))
        .rows;
    } catch (error) {
      throw storeFailed(error, 'query', this.url);
    }
  }

  async beginImport(): Promise<ImportWriter> {
    const t = this.tables;
    const url = this.url;
    const client = await this.connect();
    let open = true;
    const finish = async (sql: string) => {
      if (!open) return;
      open = false;
      try {
        await client.query(sql);
      } finally {
        client.release();
      }
    };
    try {
      await client.query('BEGIN');
    } catch (error) {
      client.release();
      throw storeFailed(error, 'import', url);
    }
    const run = (sql: string, params: unknown[]): Promise<QueryResult> => client.query(sql, params)
      .catch((error: unknown) => { throw storeFailed(error, 'import', url); });
    return {
      async replacePresentations(keys) {
        for (const table of ['submissions', 'assessments', 'sites', 'enrolments',
          'presentations'] as const) {
          await run(`DELETE FROM ${t[table]} WHERE presentation = ANY($1::text[])`, [keys]);
        }
      },
      async replaceActivity(key) {
        await run(`DELETE FROM ${t.activity} WHERE presentation = $1`, [key]);
      },
      async keepActivity(keys) {
        const kept: KeptActivity[] = [];
        for (const key of keys) {
          const dropped = (await run(`DELETE FROM ${t.activity} a WHERE presentation = $1
            AND (NOT EXISTS (SELECT 1 FROM ${t.enrolments} e
                  WHERE e.presentation = a.presentation AND e.student = a.student)
              OR NOT EXISTS (SELECT 1 FROM ${t.sites} s
                  WHERE s.presentation = a.presentation AND s.site = a.site))`, [key]))
            .rowCount ?? 0;
          const n = Number((await run(`SELECT COUNT(*) AS n FROM ${t.activity}
            WHERE presentation = $1`, [key])).rows[0].n);
          if (n + dropped > 0) kept.push({ presentation: key, kept: n, dropped });
        }
        return kept;
      },
      async assessmentsHeldElsewhere(ids) {
        return (await run(`SELECT assessment, presentation FROM ${t.assessments}
          WHERE assessment = ANY($1::int[]) ORDER BY assessment`, [ids])).rows;
      },
      async insert(table: LearningTable, rows: Cell[][]) {
        if (rows.length === 0) return;
        const text = rows.map((r) => `${r.map(copyValue).join('\t')}\n`).join('');
        await copyInto(client, t[table], LEARNING_COLUMNS[table], text)
          .catch((error: unknown) => { throw storeFailed(error, `COPY into ${t[table]}`, url); });
      },
      commit: async () => {
        await finish('COMMIT')
          .catch((error: unknown) => { throw storeFailed(error, 'commit', url); });
        this.cohorts.clear();
        // Fresh statistics, so the planner uses the indexes on the tables just filled.
        await this.query(`ANALYZE ${[t.presentations, t.enrolments, t.sites, t.activity,
          t.assessments, t.submissions].join(', ')}`);
      },
      async rollback() {
        await finish('ROLLBACK').catch(() => undefined);
      },
    };
  }

  async close(): Promise<void> {
    if (this.ownsPool) await this.pool.end();
  }
}
