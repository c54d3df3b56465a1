// The old pattern, as progon_users.py ran it: for every student-day one read of that student's
// rows up to the day, one model call on one feature row, and one INSERT committed on its own.
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const dist = path.resolve(import.meta.dirname, '..', '..', 'dist', 'main', 'engine');
const { featuresAsOf } = require(path.join(dist, 'features', 'trajectory.js'));
const { dateOfDay } = require(path.join(dist, 'scoring', 'as-of-day.js'));

const COLUMNS = 'data_create, metrika, model_info, id_user, value, day_num, time_sql, time_model, '
  + 'presentation, day_time';

/**
 * Scores `enrolments` × `days` one student-day at a time into `store`'s model_stats under the
 * model name `rowbyrow:<model>`. The presentation's metadata is cached, so the old pattern is
 * charged only for the per-student read (enrolment, clicks, submissions), not for a query it
 * never made.
 */
export async function rowByRow(store, model, enrolments, days) {
  const cache = new Map();
  const original = store.presentation.bind(store);
  store.presentation = async (key) => {
    if (!cache.has(key)) cache.set(key, await original(key));
    return cache.get(key);
  };
  const name = `rowbyrow:${model.manifest.name}`;
  const insert = store.kind === 'sqlite'
    ? (() => {
      const stmt = store.db.prepare(`INSERT INTO ${store.tables.modelStats} (${COLUMNS})
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
      return async (values) => { stmt.run(values); };
    })()
    : async (values) => {
      await store.pool.query(`INSERT INTO ${store.tables.modelStats} (${COLUMNS})
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, values);
    };
  const clear = `DELETE FROM ${store.tables.modelStats} WHERE model_info = `
    + (store.kind === 'sqlite' ? '?' : '$1');
  if (store.kind === 'sqlite') store.db.prepare(clear).run(name);
  else await store.pool.query(clear, [name]);

  const started = performance.now();
  let rows = 0;
  for (const e of enrolments) {
    const p = await store.presentation(e.presentation);
    for (const day of days) {
      const t0 = performance.now();
      const [data] = await store.enrolmentData(e.presentation, [e.student], day);
      const t1 = performance.now();
      const [value] = await model.run(featuresAsOf(data, day), 1);
      const t2 = performance.now();
      await insert([new Date().toISOString(), model.manifest.metric, name, e.student, value, day,
        t1 - t0, t2 - t1, e.presentation, dateOfDay(p.startDate, day)]);
      rows++;
    }
  }
  store.presentation = original;
  const durationMs = performance.now() - started;
  return { rows, durationMs, scoresPerSecond: Math.round(rows / (durationMs / 1000)) };
}
