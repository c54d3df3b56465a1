// One measurement in a process of its own, so its RSS is the backfill's and nothing else's.
// Prints one JSON object. Used by run.mjs; see README.md.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import { rowByRow } from './row-by-row.mjs';

const require = createRequire(import.meta.url);
const dist = path.resolve(import.meta.dirname, '..', '..', 'dist', 'main', 'engine');
const { Engine } = require(path.join(dist, 'engine.js'));

const { values: a } = parseArgs({ options: {
  target: { type: 'string' }, db: { type: 'string' }, models: { type: 'string' },
  model: { type: 'string' }, mode: { type: 'string', default: 'batched' },
  'batch-size': { type: 'string' }, sample: { type: 'string', default: '0.01' },
} });
const engine = new Engine({ dbPath: a.db, modelsDir: a.models, pgUrl: process.env.BENCH_PG_URL });
const store = await engine.store(a.target);
const model = await engine.models.get(a.model);
const mb = (bytes) => Math.round(bytes / 1048576);

if (a.mode === 'batched') {
  // A fresh table each time: the figure is for a first backfill, not a rerun.
  if (a.target === 'sqlite') {
    store.db.exec('DROP TABLE IF EXISTS model_stats');
    store.db.prepare("DELETE FROM schema_migrations WHERE profile = 'backfill:default'").run();
  } else {
    await store.query('DROP TABLE IF EXISTS model_stats');
    await store.query("DELETE FROM schema_migrations WHERE profile = 'backfill:default'");
  }
  const rssAtStart = process.memoryUsage().rss;
  let peakTo10k = 0;
  let peak = 0;
  let rssAt10k;
  const result = await engine.call('backfill', {
    model: a.model, students: 'all', target: a.target, restart: true,
    batchSize: a['batch-size'] ? Number(a['batch-size']) : undefined,
  }, {
    onProgress: (e) => {
      const rss = process.memoryUsage().rss;
      peak = Math.max(peak, rss);
      if (e.enrolmentsDone <= 10_000) peakTo10k = Math.max(peakTo10k, rss);
      if (rssAt10k === undefined && e.enrolmentsDone >= 10_000) rssAt10k = rss;
    },
  });
  console.log(JSON.stringify({ mode: 'batched', target: a.target, ...result,
    rssStartMB: mb(rssAtStart), rssAt10kMB: mb(rssAt10k ?? 0), peakRssTo10kMB: mb(peakTo10k),
    peakRssTo50kMB: mb(peak),
    maxRssProcessMB: Math.round(process.resourceUsage().maxRSS / 1024) }));
} else {
  // Every 100th enrolment (1%) in the store's order, days 0..69.
  const all = [];
  for (const p of await store.listPresentations()) {
    for (const s of await store.enrolledStudents(p)) all.push({ presentation: p, student: s });
  }
  const step = Math.round(1 / Number(a.sample));
  const sample = all.filter((_, i) => i % step === 0);
  const days = Array.from({ length: 70 }, (_, d) => d);
  const result = await rowByRow(store, model, sample, days);
  console.log(JSON.stringify({ mode: 'row-by-row', target: a.target, enrolments: sample.length,
    ...result }));
}
await engine.close();
