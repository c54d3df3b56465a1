#!/usr/bin/env node
'use strict';
// Times `edutech import oulad` of a folder into a fresh SQLite file, median of a few runs.
//   node bench/import/run.js [folder] [--runs 3]
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const folder = process.argv[2] ?? path.join(__dirname, '..', '..', '..', 'shared', 'data', 'oulad');
const runs = 3;
const bin = path.join(__dirname, '..', '..', 'bin', 'edutech.js');
const times = [];
for (let i = 0; i < runs; i++) {
  const db = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'edutech-bench-')), 'b.db');
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [bin, '--db', db, 'import', 'oulad', folder],
    { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  times.push(Number(process.hrtime.bigint() - t) / 1e6);
  fs.rmSync(path.dirname(db), { recursive: true, force: true });
}
times.sort((a, b) => a - b);
console.log(`import oulad ${folder}: median ${(times[1] / 1000).toFixed(2)} s over ${runs} runs`
  + ` (min ${(times[0] / 1000).toFixed(2)} s)`);
