import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Engine } from '../src/main/engine/engine';
import { lockId } from '../src/main/engine/backfill/pg-run-claim';
import { dateOfDay } from '../src/main/engine/scoring/as-of-day';
import { AppError } from '../src/shared/errors';
import { BIN, REPO } from './helpers/cli';
import { startPostgres, type TestPostgres } from './helpers/pg';
import { haveShared, OULAD_DIR, readOuladCsv, writeOuladSubset } from './helpers/shared';

const present = haveShared();
// The committed model; EDUTECH_TEST_MODELS/EDUTECH_TEST_MODEL point elsewhere while developing.
const MODELS_DIR = process.env.EDUTECH_TEST_MODELS ?? path.join(REPO, 'models');
const MODEL = process.env.EDUTECH_TEST_MODEL ?? 'project_2411_clf';
const haveModel = fs.existsSync(path.join(MODELS_DIR, `${MODEL}.json`));
if (!haveModel) {
  if (process.env.CI === 'true') throw new Error(`${MODEL} is missing from ${MODELS_DIR}`);
  console.warn(`skipping backfill tests: no ${MODEL}.json in ${MODELS_DIR}`);
}
const DAYS = 70; // day 0 .. end of week 10

type Target = 'sqlite' | 'postgres';
type Query = (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

let studentInfo: Record<string, string>[] | undefined;

/** Enrolments of the real data per presentation, read from the CSV, not through the app. */
function enrolmentsIn(presentation?: string): number {
  studentInfo ??= readOuladCsv('studentInfo.csv');
  return studentInfo.filter((r) => presentation === undefined
    || `${r.code_module}-${r.code_presentation}` === presentation).length;
}

/** A folder holding one presentation of the real data: the v4 tables get only this one. */
function ouladSubset(dir: string, module: string, code: string): string {
  return writeOuladSubset(dir, { module, code });
}

/** Runs the CLI and sends `signal` once `batches` batches have been committed. */
function interruptCli(args: string[], env: Record<string, string>, batches: number,
  signal: NodeJS.Signals): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...env, EDUTECH_LOG: 'debug' },
    });
    let stderr = '';
    let seen = 0;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      seen = stderr.split('"backfill.batch"').length - 1;
      if (seen >= batches && !child.killed) child.kill(signal);
    });
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe.skipIf(!present || !haveModel).each(['sqlite', 'postgres'] as Target[])(
  'backfill into %s on the real OULAD data', (target) => {
    let dir: string;
    let dbPath: string;
    let pg: TestPostgres | undefined;
    let engine: Engine;
    let q: Query;
    let close: () => Promise<void>;
    const pgEnv = (): Record<string, string> => (pg ? { EDUTECH_PG_URL: pg.url } : {});
    const count = async (sql: string, params: unknown[] = []) =>
      Number((await q(`SELECT COUNT(*) AS n FROM ${sql}`, params))[0]!.n);

    beforeAll(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), `edutech-bf-${target}-`));
      dbPath = path.join(dir, 'oulad.db');
      fs.copyFileSync(inject('ouladDb'), dbPath);
      if (target === 'postgres') pg = await startPostgres();
      engine = new Engine({ dbPath, modelsDir: MODELS_DIR, pgUrl: pg?.url });
      if (pg) {
        await engine.call('importData', { format: 'oulad', folder: OULAD_DIR, target });
        const pool = new Pool({ connectionString: pg.url, max: 2 });
        q = async (sql, params = []) => (await pool.query(sql, params)).rows;
        close = () => pool.end();
      } else {
        const db = new Database(dbPath);
        q = async (sql, params = []) => {
          const stmt = db.prepare(sql.replace(/\$\d+/g, '?'));
          if (stmt.reader) return stmt.all(...params) as Record<string, unknown>[];
          stmt.run(...params);
          return [];
        };
        close = async () => {
          db.close();
        };
      }
    });

    afterAll(async () => {
      await close?.();
      await engine?.close();
      await pg?.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('reads the same learning data as the CSV files hold', async () => {
      expect(await count('enrolments')).toBe(enrolmentsIn());
      const vle = fs.readdirSync(OULAD_DIR).filter((f) => f.startsWith('studentVle_'));
      const clicks = vle.reduce((n, f) => n + readOuladCsv(f).length, 0);
      expect(await count('activity')).toBe(clicks);
    });

    it('writes enrolments × 70 rows for all, one per (model, enrolment, day)', async () => {
      const events: { enrolmentsDone: number; enrolmentsTotal: number }[] = [];
      const r = await engine.call('backfill', { model: MODEL, students: 'all', target },
        { onProgress: (e) => events.push(e as (typeof events)[number]) });
      const expected = enrolmentsIn() * DAYS; // 32,593 × 70 = 2,281,510
      expect(r.rows).toBe(expected);
      expect(r.enrolments).toBe(enrolmentsIn());
      expect(r.table).toBe('model_stats');
      expect(await count('model_stats')).toBe(expected);
      expect(await count(`(SELECT DISTINCT model_info, presentation, id_user, day_num
        FROM model_stats) k`)).toBe(expected);
      expect(await q('SELECT MIN(day_num) AS lo, MAX(day_num) AS hi FROM model_stats'))
        .toEqual([{ lo: 0, hi: DAYS - 1 }]);
      expect(events.at(-1)).toMatchObject({ enrolmentsDone: enrolmentsIn(),
        enrolmentsTotal: enrolmentsIn() });
      expect(await q('SELECT status FROM backfill_runs WHERE model = $1', [MODEL]))
        .toEqual([{ status: 'done' }]);
    });

    it('stores for sampled students and days the value the score operation gives', async () => {
      const reg = readOuladCsv('studentRegistration.csv');
      const key = (r: Record<string, string>) => `${r.code_module}-${r.code_presentation}`;
      const early = reg.find((r) => r.date_unregistration !== ''
        && Number(r.date_unregistration) > 0 && Number(r.date_unregistration) < 30)!;
      const late = reg.find((r) => Number(r.date_registration) > 5)!;
      const samples: [number, string, number][] = [
        [11391, 'AAA-2013J', 0], [11391, 'AAA-2013J', 41], [11391, 'AAA-2013J', 69],
        [Number(early.id_student), key(early), 0],
        [Number(early.id_student), key(early), Number(early.date_unregistration) + 3],
        [Number(late.id_student), key(late), 0], [Number(late.id_student), key(late), 69],
        ...reg.filter((r) => key(r) === 'BBB-2013B').slice(0, 2)
          .map((r): [number, string, number] => [Number(r.id_student), key(r), 27]),
        ...reg.filter((r) => key(r) === 'BBB-2013J').slice(5, 7)
          .map((r): [number, string, number] => [Number(r.id_student), key(r), 55]),
        ...reg.filter((r) => key(r) === 'GGG-2014J').slice(0, 1)
          .map((r): [number, string, number] => [Number(r.id_student), key(r), 13]),
      ];
      for (const [student, presentation, day] of samples) {
        const [row] = await q(`SELECT value, time_sql, time_model,
          CAST(day_time AS TEXT) AS day_time FROM model_stats WHERE model_info = $1
          AND presentation = $2 AND id_user = $3 AND day_num = $4`,
        [MODEL, presentation, student, day]);
        const start = (await engine.call('findStudents', { student })).enrolments
          .find((e) => e.presentation === presentation)!.startDate;
        const date = dateOfDay(start, day);
        const scored = await engine.call('score', { model: MODEL, student, presentation, date });
        expect(scored.asOfDay).toBe(day);
        expect(Math.abs(Number(row!.value) - scored.value), `${student} ${presentation} day ${day}`)
          .toBeLessThan(1e-6);
        expect(String(row!.day_time)).toBe(`${date} 00:00:00`);
        expect(Number(row!.time_sql)).toBeGreaterThan(0);
        expect(Number(row!.time_model)).toBeGreaterThan(0);
      }
    });

    it('replaces rows on a rerun: the row count stays, the rows are new', async () => {
      const before = await count('model_stats');
      const [{ id: maxId }] = await q('SELECT MAX(id) AS id FROM model_stats') as [{ id: number }];
      const presentations = ['AAA-2013J', 'CCC-2014B'];
      const r = await engine.call('backfill', { model: MODEL, students: 'all', target,
        presentations });
      expect(r.rows).toBe((enrolmentsIn('AAA-2013J') + enrolmentsIn('CCC-2014B')) * DAYS);
      expect(await count('model_stats')).toBe(before);
      expect(await count('model_stats WHERE id > $1', [maxId])).toBe(r.rows);
      expect(await count(`model_stats WHERE id > $1 AND presentation NOT IN ($2, $3)`,
        [maxId, ...presentations])).toBe(0);
    });

    it('resumes a run cancelled after a few batches; ends complete, no duplicates', async () => {
      const input = { model: MODEL, students: 'all', target, presentations: ['BBB-2013B'],
        batchSize: 100 };
      const total = enrolmentsIn('BBB-2013B');
      await q('DELETE FROM model_stats WHERE presentation = $1', ['BBB-2013B']);
      const controller = new AbortController();
      const error = await engine.call('backfill', input, {
        signal: controller.signal,
        onProgress: (e) => {
          if ((e as { enrolmentsDone: number }).enrolmentsDone >= 300) controller.abort();
        },
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('CANCELLED');
      const stopped = (error as AppError).details.stoppedAt as { enrolmentsDone: number };
      expect(stopped.enrolmentsDone % 100).toBe(0);
      expect(stopped.enrolmentsDone).toBeGreaterThanOrEqual(300);
      expect(stopped.enrolmentsDone).toBeLessThan(total);
      // Only whole batches are in the table, as many as the progress record says.
      const where = 'model_stats WHERE presentation = $1';
      expect(await count(where, ['BBB-2013B'])).toBe(stopped.enrolmentsDone * DAYS);

      const r = await engine.call('backfill', input);
      expect(r.resumedFrom?.enrolmentsDone).toBe(stopped.enrolmentsDone);
      expect(r.enrolments).toBe(total - stopped.enrolmentsDone);
      expect(await count(where, ['BBB-2013B'])).toBe(total * DAYS);
      expect(await count(`(SELECT DISTINCT id_user, day_num FROM ${where}) k`, ['BBB-2013B']))
        .toBe(total * DAYS);
    });

    it('resumes after the CLI is killed mid-run, and stops cleanly on Ctrl+C', async () => {
      const args = ['--db', dbPath, '--models', MODELS_DIR, 'backfill', MODEL, 'all',
        '--target', target, '--presentations', 'BBB-2013J', '--batch-size', '100'];
      const total = enrolmentsIn('BBB-2013J');
      await q('DELETE FROM model_stats WHERE presentation = $1', ['BBB-2013J']);
      const killed = await interruptCli(args, pgEnv(), 2, 'SIGKILL');
      expect(killed.code).toBeNull();
      const partial = await count('model_stats WHERE presentation = $1', ['BBB-2013J']);
      expect(partial % (100 * DAYS)).toBe(0);
      expect(partial).toBeLessThan(total * DAYS);

      const stopped = await interruptCli(args, pgEnv(), 1, 'SIGINT');
      expect(stopped.code).toBe(130);
      expect(stopped.stderr).toMatch(/CANCELLED: backfill cancelled after \d+ of \d+ enrolments/);
      expect(stopped.stderr).toContain('run it again to resume');

      const r = await engine.call('backfill', { model: MODEL, students: 'all', target,
        presentations: ['BBB-2013J'], batchSize: 100 });
      expect(r.resumedFrom!.enrolmentsDone).toBeGreaterThan(partial / DAYS);
      expect(await count('model_stats WHERE presentation = $1', ['BBB-2013J'])).toBe(total * DAYS);
      expect(await count(`(SELECT DISTINCT id_user, day_num FROM model_stats
        WHERE presentation = $1) k`, ['BBB-2013J'])).toBe(total * DAYS);
    });

    it.skipIf(target !== 'postgres')(
      'refuses a second run of the same scope while one runs, with BUSY', async () => {
        const input = { model: MODEL, students: 'all', target, presentations: ['BBB-2013B'],
          batchSize: 50, restart: true };
        const total = enrolmentsIn('BBB-2013B');
        let second: Promise<unknown> | undefined;
        let firstEnded = false;
        let refusedWhileRunning = false;
        const first = await engine.call('backfill', input, {
          onProgress: (e) => {
            if ((e as { enrolmentsDone: number }).enrolmentsDone === 0) return;
            second ??= engine.call('backfill', input).catch((error: unknown) => {
              refusedWhileRunning = !firstEnded;
              return error;
            });
          },
        }).finally(() => {
          firstEnded = true;
        });
        const refused = await second;
        expect(refused).toBeInstanceOf(AppError);
        expect((refused as AppError).code).toBe('BUSY');
        expect((refused as AppError).message).toContain('is already running');
        expect(refusedWhileRunning).toBe(true);
        expect(first.enrolments).toBe(total);
        // Released once the first run ended: the same run starts again.
        expect((await engine.call('backfill', input)).enrolments).toBe(total);
        expect(await count('model_stats WHERE presentation = $1', ['BBB-2013B']))
          .toBe(total * DAYS);
      });

    it.skipIf(target !== 'postgres')(
      'runs more backfills at once than the pool has connections, without a hang', async () => {
        // Each run holds its lock on a connection of its own; the pool keeps 4 for queries.
        const input = { model: MODEL, students: 'all', target, presentations: ['AAA-2014J'],
          batchSize: 100, restart: true };
        const runs = [2, 3, 4, 5, 6, 7].map((toWeek) => engine.call('backfill',
          { ...input, toWeek }));
        const done = await Promise.all(runs);
        expect(done.map((r) => r.enrolments)).toEqual(
          Array(6).fill(enrolmentsIn('AAA-2014J')));
        // The table as the other tests expect it: every enrolment on days 0..69.
        await engine.call('backfill', input);
        expect(await count('model_stats WHERE presentation = $1', ['AAA-2014J']))
          .toBe(enrolmentsIn('AAA-2014J') * DAYS);
      });

    it.skipIf(target !== 'postgres')(
      'stops with STORE_FAILED when its lock connection is lost, and resumes', async () => {
        const input = { model: MODEL, students: 'all', target, presentations: ['BBB-2013J'],
          batchSize: 50, restart: true };
        const total = enrolmentsIn('BBB-2013J');
        let killed: Promise<unknown> | undefined;
        const error = await engine.call('backfill', input, {
          onProgress: (e) => {
            if ((e as { enrolmentsDone: number }).enrolmentsDone < 100) return;
            killed ??= q(`SELECT pg_terminate_backend(pid) FROM pg_locks
              WHERE locktype = 'advisory' AND pid <> pg_backend_pid()`);
          },
        }).catch((e: unknown) => e);
        await killed;
        expect(error).toBeInstanceOf(AppError);
        expect((error as AppError).code).toBe('STORE_FAILED');
        expect((error as AppError).message).toContain("holding the run's lock was lost");
        const r = await engine.call('backfill', { ...input, restart: false });
        expect(r.resumedFrom?.enrolmentsDone).toBeGreaterThanOrEqual(100);
        expect(await count('model_stats WHERE presentation = $1', ['BBB-2013J']))
          .toBe(total * DAYS);
      });

    it.skipIf(target !== 'postgres')(
      'an empty Postgres database is EMPTY_STORE with the import that fills it', async () => {
        await q('DROP DATABASE IF EXISTS empty_one');
        await q('CREATE DATABASE empty_one');
        const empty = new Engine({ dbPath, modelsDir: MODELS_DIR,
          pgUrl: pg!.url.replace(/\/edutech$/, '/empty_one') });
        try {
          for (const call of [
            () => empty.call('score', { model: MODEL, student: 11391, week: 5, target }),
            () => empty.call('findStudents', { student: 11391, target }),
            () => empty.call('backfill', { model: MODEL, students: [11391], target }),
          ]) {
            await expect(call()).rejects.toMatchObject({ code: 'EMPTY_STORE',
              message: expect.stringMatching(new RegExp('^the Postgres database empty_one on '
                + '127\\.0\\.0\\.1:\\d+ .*`edutech import oulad <folder> --target postgres`')),
            });
          }
        } finally {
          await empty.close();
        }
      });

    it('a call cancelled before it starts leaves a finished run\'s record alone', async () => {
      const input = { model: MODEL, students: [11391], target };
      await engine.call('backfill', input);
      const record = `backfill_runs WHERE model = $1 AND scope = $2 AND status = 'done'
        AND enrolments_done = 1`;
      expect(await count(record, [MODEL, 'w10/students=11391'])).toBe(1);
      const controller = new AbortController();
      controller.abort();
      await expect(engine.call('backfill', input, { signal: controller.signal }))
        .rejects.toMatchObject({ code: 'CANCELLED' });
      expect(await count(record, [MODEL, 'w10/students=11391'])).toBe(1);
    });

    it.skipIf(target !== 'postgres')(
      'waits for another writer of the presentation without holding the pool, cancellably',
      async () => {
        // Another session holds the turn of (model_stats, model, AAA-2013J), as a stalled
        // writer of another scope would.
        const holder = new Pool({ connectionString: pg!.url, max: 1 });
        const held = await holder.connect();
        const turn = lockId('edutech.model_stats', 'model_stats', MODEL, 'AAA-2013J');
        await held.query('SELECT pg_advisory_lock($1::bigint)', [turn]);
        try {
          const controller = new AbortController();
          const waiting = engine.call('backfill', { model: MODEL, students: 'all', target,
            presentations: ['AAA-2013J'], toWeek: 3, restart: true },
          { signal: controller.signal }).catch((e: unknown) => e);
          // Meanwhile the pool serves other calls, more of them than it has connections.
          await new Promise((resolve) => setTimeout(resolve, 500));
          const found = await Promise.all(Array.from({ length: 6 }, () =>
            engine.call('findStudents', { student: 11391, target })));
          expect(found.every((f) => f.enrolments.length === 1)).toBe(true);
          controller.abort();
          expect(await waiting).toMatchObject({ code: 'CANCELLED' });
        } finally {
          await held.query('SELECT pg_advisory_unlock($1::bigint)', [turn]);
          held.release();
          await holder.end();
        }
      });

    it.skipIf(target !== 'postgres')(
      'holds at most 8 run connections per process; a ninth run is BUSY', async () => {
        // Eight runs of different scopes wait for AAA-2013J's turn, each on its connection.
        const holder = new Pool({ connectionString: pg!.url, max: 1 });
        const held = await holder.connect();
        const turn = lockId('edutech.model_stats', 'model_stats', MODEL, 'AAA-2013J');
        await held.query('SELECT pg_advisory_lock($1::bigint)', [turn]);
        const controller = new AbortController();
        const scope = (toWeek: number) => ({ model: MODEL, students: 'all', target,
          presentations: ['AAA-2013J'], toWeek, restart: true });
        try {
          const waiting = [1, 2, 3, 4, 5, 6, 7, 8].map((w) => engine.call('backfill', scope(w),
            { signal: controller.signal }).catch((e: unknown) => e));
          await new Promise((resolve) => setTimeout(resolve, 1000));
          await expect(engine.call('backfill', scope(9))).rejects.toMatchObject({
            code: 'BUSY', message: expect.stringContaining('8 backfills are already running') });
          controller.abort();
          for (const e of await Promise.all(waiting)) {
            expect(e).toMatchObject({ code: 'CANCELLED' });
          }
        } finally {
          await held.query('SELECT pg_advisory_unlock($1::bigint)', [turn]);
          held.release();
          await holder.end();
        }
        // Once they have ended, a run goes ahead (and leaves AAA-2013J whole for the others).
        const r = await engine.call('backfill', scope(10));
        expect(r.enrolments).toBe(enrolmentsIn('AAA-2013J'));
      });

    it('v4 reads the _v4 tables and writes model_stats_v4', async () => {
      const before = await count('model_stats');
      const folder = ouladSubset(path.join(dir, 'v4-source'), 'AAA', '2013J');
      await engine.call('importData', { format: 'oulad', folder, target, profile: 'v4' });
      const r = await engine.call('backfill', { model: MODEL, students: 'all', target,
        profile: 'v4' });
      expect(r.table).toBe('model_stats_v4');
      expect(r.rows).toBe(enrolmentsIn('AAA-2013J') * DAYS);
      expect(await count('model_stats_v4')).toBe(r.rows);
      expect(await count('model_stats')).toBe(before);
      // Same source rows, so the same scores as the default tables gave.
      const differ = await q(`SELECT COUNT(*) AS n FROM model_stats_v4 v JOIN model_stats d
        ON d.model_info = v.model_info AND d.presentation = v.presentation
        AND d.id_user = v.id_user AND d.day_num = v.day_num
        WHERE ABS(d.value - v.value) > 1e-6`);
      expect(Number(differ[0]!.n)).toBe(0);
    });

    it('adopts a model_stats the old scripts made, keeping its rows; refuses a foreign table',
      async () => {
        const pgSql = target === 'postgres';
        // The old scripts' table, exactly as they created it, with one of their rows.
        await q(`CREATE TABLE legacy_stats (id ${pgSql ? 'SERIAL' : 'INTEGER'} PRIMARY KEY,
          data_create ${pgSql ? 'TIMESTAMP' : 'TEXT'}, metrika VARCHAR(30),
          model_info VARCHAR(200), id_user INTEGER, value REAL, day_num INTEGER,
          time_sql REAL, time_model REAL)`);
        await q(`INSERT INTO legacy_stats (data_create, metrika, model_info, id_user, value,
          day_num, time_sql, time_model)
          VALUES ('2023-05-01 10:00:00', 'm2_success', $1, 11391, 0.5, 3, 1.5, 2.5)`, [MODEL]);
        await q('CREATE TABLE foreign_stats (id INTEGER, note TEXT)');
        const file = path.join(dir, 'profiles-legacy.json');
        fs.writeFileSync(file, JSON.stringify({ profiles: {
          legacy: { tables: { modelStats: 'legacy_stats' } },
          foreign: { tables: { modelStats: 'foreign_stats' } },
          foreignsource: { tables: { enrolments: 'foreign_stats' } },
        } }));
        process.env.EDUTECH_PROFILES = file;
        try {
          const input = { model: MODEL, students: [11391], target, profile: 'legacy' } as const;
          await engine.call('backfill', { ...input, profile: 'default' }); // to compare with
          const r = await engine.call('backfill', input);
          expect(r.table).toBe('legacy_stats');
          const enrolments = readOuladCsv('studentInfo.csv')
            .filter((e) => e.id_student === '11391').length;
          expect(r.rows).toBe(enrolments * DAYS);
          await engine.call('backfill', { ...input, restart: true });
          expect(await count('legacy_stats')).toBe(r.rows + 1);
          // The old row is kept as it was: no presentation, never replaced by a run.
          expect(await q(`SELECT id_user, value, day_num, presentation, day_time FROM legacy_stats
            WHERE presentation IS NULL`)).toEqual([{ id_user: 11391, value: 0.5, day_num: 3,
            presentation: null, day_time: null }]);
          // The new rows hold what the default table holds for the same enrolments and days.
          const same = await q(`SELECT COUNT(*) AS n FROM legacy_stats l JOIN model_stats d
            ON d.model_info = l.model_info AND d.presentation = l.presentation
            AND d.id_user = l.id_user AND d.day_num = l.day_num
            WHERE ABS(d.value - l.value) < 1e-6 AND d.day_time = l.day_time`);
          expect(Number(same[0]!.n)).toBe(r.rows);

          for (const [profile, table, lacks] of [['foreign', 'foreign_stats', 'data_create'],
            ['foreignsource', 'foreign_stats', 'presentation, student']]) {
            const error = await engine.call('backfill', { ...input, profile })
              .catch((e: AppError) => e);
            expect((error as AppError).code, profile).toBe('STORE_FAILED');
            expect((error as AppError).message, profile)
              .toContain(`table ${table} lacks column(s) ${lacks}`);
          }
          expect(await count('foreign_stats')).toBe(0);
        } finally {
          delete process.env.EDUTECH_PROFILES;
          await q('DROP TABLE legacy_stats');
          await q('DROP TABLE foreign_stats');
        }
      });

    it('refuses a profile or table name that is not a plain identifier', async () => {
      const tables = async () => (target === 'sqlite'
        ? await q("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        : await q(`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'
            ORDER BY tablename`)).map((t) => t.name);
      const known = await tables();
      const bad = await engine.call('backfill', { model: MODEL, students: [11391], target,
        profile: 'v4; DROP TABLE enrolments' }).catch((e: AppError) => e);
      expect((bad as AppError).code).toBe('BAD_PROFILE');

      const file = path.join(dir, 'profiles.json');
      fs.writeFileSync(file, JSON.stringify({ profiles: {
        evil: { tables: { activity: 'activity WHERE 1=1; --' } } } }));
      process.env.EDUTECH_PROFILES = file;
      try {
        const evil = await engine.call('backfill', { model: MODEL, students: [11391], target,
          profile: 'evil' }).catch((e: AppError) => e);
        expect((evil as AppError).code).toBe('BAD_PROFILE');
        expect((evil as AppError).message).toContain('not a plain identifier');
      } finally {
        delete process.env.EDUTECH_PROFILES;
      }
      expect(await tables()).toEqual(known);
    });

    it.runIf(target === 'postgres')('serves the Grafana dashboard\'s queries', async () => {
      const file = path.join(REPO, 'resources', 'grafana', 'model-stats-dashboard.json');
      const dashboard = JSON.parse(fs.readFileSync(file, 'utf8'));
      const vars: Record<string, string> = { table: 'model_stats', model: MODEL,
        presentation: 'AAA-2013J', student: '11391' };
      const sql = (text: string) => text.replace(/\$\{(\w+)\}/g, (_, v: string) => vars[v]!);
      const queries = dashboard.templating.list.filter((t: { type: string }) => t.type === 'query');
      for (const v of queries) {
        const values = (await q(sql(v.query))).map((r) => String(Object.values(r)[0]));
        expect(values, v.name).toContain(vars[v.name]);
      }
      const [trajectory, cohort] = dashboard.panels as { targets: { rawSql: string }[] }[];
      const points = await q(sql(trajectory!.targets[0]!.rawSql));
      expect(points).toHaveLength(DAYS);
      const bands = await q(sql(cohort!.targets[0]!.rawSql));
      expect(bands).toHaveLength(DAYS);
      for (const b of bands) {
        expect(Number(b.p10)).toBeLessThanOrEqual(Number(b.median));
        expect(Number(b.median)).toBeLessThanOrEqual(Number(b.p90));
        expect(Number(b.enrolments)).toBe(enrolmentsIn('AAA-2013J'));
      }
    });

    it.runIf(target === 'postgres')('never shows the password in an error', async () => {
      const wrong = pg!.url.replace(/:[^:@/]+@/, ':Secret-Pw-123@');
      const other = new Engine({ dbPath, modelsDir: MODELS_DIR, pgUrl: wrong });
      const error = await other.call('backfill', { model: MODEL, students: 'all', target })
        .catch((e: AppError) => e);
      await other.close();
      expect((error as AppError).code).toBe('STORE_FAILED');
      expect(JSON.stringify((error as AppError).toWire())).not.toContain('Secret-Pw-123');
    });

    it('scores a week past a presentation\'s end up to its last day, and says so', async () => {
      const info = readOuladCsv('studentInfo.csv').filter((r) => r.code_module === 'GGG');
      const student = Number(info[0]!.id_student);
      const enrolments = info.filter((r) => Number(r.id_student) === student);
      const lengths = new Map(readOuladCsv('courses.csv').map((c) =>
        [`${c.code_module}-${c.code_presentation}`, Number(c.module_presentation_length)]));
      const keys = enrolments.map((r) => `${r.code_module}-${r.code_presentation}`);

      const r = await engine.call('backfill', { model: MODEL, students: [student], target,
        toWeek: 60 });
      // Days 0..length: OULAD's rows run to the last day inclusive.
      expect(r.rows).toBe(keys.reduce((n, k) => n + lengths.get(k)! + 1, 0));
      expect(r.endingEarly).toEqual(keys.map((k) => ({ presentation: k, lastDay: lengths.get(k) })));
      expect(await q(`SELECT MAX(day_num) AS hi FROM model_stats WHERE id_user = $1
        AND presentation = $2`, [student, keys[0]])).toEqual([{ hi: lengths.get(keys[0]!) }]);

      const within = await engine.call('backfill', { model: MODEL, students: [student], target,
        toWeek: 3 });
      expect(within.endingEarly).toBeUndefined();
    });
  },
);
