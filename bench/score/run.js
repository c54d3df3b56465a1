#!/usr/bin/env node
'use strict';
// Times the main job two ways: one `edutech score` process from cold (what a shell user or a
// script pays), and a warm `score` call in a running engine (what the window and the HTTP API
// pay once the store and the ONNX session are open). Needs a built tree (`npm run build:node`)
// and an imported store: EDUTECH_DB=... or --db.
//   node bench/score/run.js --db /tmp/oulad.db [--model project_2411_clf] [--student 11391]
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { Engine } = require('../../dist/main/engine/engine');
const { resolveConfig } = require('../../dist/main/engine/config');

const { values } = parseArgs({ options: {
  db: { type: 'string', default: process.env.EDUTECH_DB },
  model: { type: 'string', default: 'project_2411_clf' },
  student: { type: 'string', default: '11391' },
  runs: { type: 'string', default: '10' },
} });
if (!values.db) {
  // Without this, the child processes would get the literal argument "undefined" as a path.
  console.error('bench/score: name an imported store with --db <file> or EDUTECH_DB');
  process.exit(2);
}
const runs = Number(values.runs);
const bin = path.join(__dirname, '..', '..', 'bin', 'edutech.js');

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const cold = [];
for (let i = 0; i < runs; i++) {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [bin, '--db', values.db, 'score', values.model,
    values.student, '5'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  cold.push(Number(process.hrtime.bigint() - t) / 1e6);
}

(async () => {
  const engine = new Engine(resolveConfig({ db: values.db }));
  const input = { model: values.model, student: values.student, week: 5 };
  await engine.call('score', input); // opens the store and the ONNX session
  const warm = [];
  for (let i = 0; i < runs * 20; i++) {
    const t = process.hrtime.bigint();
    await engine.call('score', { ...input, week: 1 + (i % 10) });
    warm.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  await engine.close();
  console.log(`score process (cold, ${runs} runs): median ${median(cold).toFixed(0)} ms`);
  console.log(`score call (warm, ${warm.length} calls): median ${median(warm).toFixed(2)} ms`);
})();
