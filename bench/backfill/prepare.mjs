// Builds the scale data set: N enrolments resampled (with replacement, seeded) from the real
// OULAD enrolments, each under a new student id (10,000,000 + i), with all its click rows and
// submissions. Presentations, sites and assessments are the real ones. This is a resample of
// real data for load testing, not new data: every resampled enrolment's rows are a real
// student's rows.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const dist = path.resolve(import.meta.dirname, '..', '..', 'dist', 'main', 'engine');
const { SqliteStore } = require(path.join(dist, 'store', 'sqlite-store.js'));
const { PgStore } = require(path.join(dist, 'store', 'pg-store.js'));
const { importOulad } = require(path.join(dist, 'import', 'oulad.js'));
const { LEARNING_COLUMNS } = require(path.join(dist, 'store', 'schema.js'));

export const NEW_ID_BASE = 10_000_000;

/** mulberry32: a small seeded generator, so every run resamples the same enrolments. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Imports the real data into `file`, then replaces its enrolments by `count` resampled ones. */
export async function buildScaleSqlite(ouladDir, file, count, seed = 2411) {
  fs.rmSync(file, { force: true });
  const store = new SqliteStore(file);
  await importOulad(store, ouladDir);
  const db = store.db;
  const real = db.prepare(`SELECT presentation, student FROM enrolments
    ORDER BY presentation, student`).all();
  const next = random(seed);
  db.exec(`CREATE TEMP TABLE resample (
    student INTEGER PRIMARY KEY, presentation TEXT, source INTEGER)`);
  const add = db.prepare('INSERT INTO resample VALUES (?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const e = real[Math.floor(next() * real.length)];
      add.run(NEW_ID_BASE + i, e.presentation, e.student);
    }
  })();
  const cols = (t) => LEARNING_COLUMNS[t]
    .map((c) => (c === 'student' ? 'r.student' : `x.${c}`)).join(', ');
  db.transaction(() => {
    for (const t of ['enrolments', 'activity', 'submissions']) {
      db.exec(`CREATE TEMP TABLE new_${t} AS SELECT ${cols(t)} FROM resample r
        JOIN ${t} x ON x.presentation = r.presentation AND x.student = r.source`);
      db.exec(`DELETE FROM ${t}`);
      db.exec(`INSERT INTO ${t} (${LEARNING_COLUMNS[t].join(', ')}) SELECT * FROM new_${t}`);
      db.exec(`DROP TABLE new_${t}`);
    }
  })();
  db.exec('ANALYZE');
  db.pragma('wal_checkpoint(TRUNCATE)');
  const counts = Object.fromEntries(['enrolments', 'activity', 'submissions'].map((t) =>
    [t, db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get().n]));
  await store.close();
  return counts;
}

/** Copies the learning tables of the SQLite file into Postgres with the store's own COPY path. */
export async function loadPostgres(file, url) {
  const source = new SqliteStore(file);
  const target = PgStore.connect(url);
  await target.migrate();
  const writer = await target.beginImport();
  try {
    await writer.replacePresentations(await source.listPresentations());
    const tables = ['presentations', 'sites', 'assessments', 'enrolments', 'submissions',
      'activity'];
    for (const t of tables) {
      const stmt = source.db.prepare(`SELECT ${LEARNING_COLUMNS[t].join(', ')} FROM ${t}`).raw();
      let rows = [];
      for (const row of stmt.iterate()) {
        rows.push(row);
        if (rows.length === 20000) { await writer.insert(t, rows); rows = []; }
      }
      await writer.insert(t, rows);
    }
    await writer.commit();
  } catch (error) {
    await writer.rollback();
    throw error;
  } finally {
    await source.close();
    await target.close();
  }
}
