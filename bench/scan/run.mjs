// Scanner benchmark: the CSV counter against `wc -l` and Python's csv module on one generated
// 1 GB file with quoted line breaks, its peak memory, and an incremental rescan of 10,000 files.
// Runs the compiled engine: `npx tsc -p tsconfig.node.json && node bench/scan/run.mjs`.
// Options: --size-mb N (default 1024), --files N (default 10000), --keep (leave /tmp files).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = path.join(repo, 'dist', 'main', 'engine', 'scan');
if (!fs.existsSync(path.join(dist, 'csv-count.js'))) {
  console.error('dist/ is missing: run `npx tsc -p tsconfig.node.json` first');
  process.exit(2);
}

const arg = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const SIZE = arg('--size-mb', 1024) * 1024 * 1024;
const FILES = arg('--files', 10_000);
const WORK = path.join(os.tmpdir(), 'edutech-scan-bench');
const PYTHON = '/usr/bin/python3';

/** A CSV with quoted commas, escaped quotes and quoted LF / CRLF line breaks in every 5th row. */
function generateCsv(file, size) {
  const rows = [];
  for (let i = 0; i < 20_000; i++) {
    const note = i % 5 === 0
      ? `"first line ${i}\nsecond, line\r\nthird ""quoted"" line"`
      : `"plain note, number ${i}"`;
    rows.push(`${i},student ${i % 997},2024-01-${String((i % 28) + 1).padStart(2, '0')},`
      + `${(i * 3.14159).toFixed(4)},${note},some unquoted text field ${i},${i % 3 ? 'x' : ''}\n`);
  }
  const block = Buffer.from(rows.join(''));
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, 'id,name,date,value,note,text,flag\n');
  let written = 0;
  let blocks = 0;
  while (written < size) {
    fs.writeSync(fd, block);
    written += block.length;
    blocks++;
  }
  fs.closeSync(fd);
  return blocks * rows.length;
}

function timed(command, args) {
  const started = process.hrtime.bigint();
  const run = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.status !== 0) throw new Error(`${command} failed: ${run.stderr}`);
  return { seconds, stdout: run.stdout.trim() };
}

/** Best of n runs, in seconds, with the output of the best one. */
function best(n, command, args) {
  let winner;
  for (let k = 0; k < n; k++) {
    const run = timed(command, args);
    if (!winner || run.seconds < winner.seconds) winner = run;
  }
  return winner;
}

// The counter runs in its own process so its peak RSS is its own.
const COUNT_CHILD = `
const { countCsvFile } = require(${JSON.stringify(path.join(dist, 'csv-count.js'))});
const t = process.hrtime.bigint();
countCsvFile(process.argv[1]).then((r) => {
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  const maxRssKb = process.resourceUsage().maxRSS;
  console.log(JSON.stringify({ rows: r.dataRows, seconds, maxRssKb }));
});`;
// The floor for any JavaScript counter: newlines only, found with the same native indexOf.
const NEWLINES_CHILD = `
const fs = require('node:fs');
const t = process.hrtime.bigint();
const fd = fs.openSync(process.argv[1], 'r');
const buf = Buffer.allocUnsafe(1 << 20);
let n, lines = 0;
while ((n = fs.readSync(fd, buf, 0, buf.length, null)) > 0) {
  const view = buf.subarray(0, n);
  for (let at = view.indexOf(10); at >= 0; at = view.indexOf(10, at + 1)) lines++;
}
console.log(JSON.stringify({ lines, seconds: Number(process.hrtime.bigint() - t) / 1e9 }));`;
const PY_CHILD = 'import csv, sys\n'
  + 'f = open(sys.argv[1], newline="", encoding="utf-8")\n'
  + 'print(sum(1 for r in csv.reader(f) if r) - 1)';

function ours(file) {
  let winner;
  for (let k = 0; k < 3; k++) {
    const r = JSON.parse(timed(process.execPath, ['-e', COUNT_CHILD, file]).stdout);
    if (!winner || r.seconds < winner.seconds) winner = r;
  }
  return winner;
}

async function rescanBench() {
  const Database = require(path.join(repo, 'node_modules', 'better-sqlite3'));
  const { SqliteDsStatsStore } = require(path.join(dist, 'ds-stats-sqlite.js'));
  const { runScan } = require(path.join(dist, 'scan.js'));
  const tree = path.join(WORK, 'tree');
  fs.rmSync(tree, { recursive: true, force: true });
  const hourAgo = new Date(Date.now() - 3600_000);
  for (let k = 0; k < FILES; k++) {
    const dir = path.join(tree, `user${String(k % 50).padStart(2, '0')}`, `project${k % 7}`);
    fs.mkdirSync(dir, { recursive: true });
    const file = k % 3 === 0 ? path.join(dir, `nb${k}.ipynb`) : path.join(dir, `data${k}.csv`);
    fs.writeFileSync(file, k % 3 === 0
      ? JSON.stringify({ nbformat: 4, cells: [{ cell_type: 'code', source: [] }] })
      : `a,b\n${'1,"x\ny"\n'.repeat(k % 20)}`);
    fs.utimesSync(file, hourAgo, hourAgo); // outside the racy window, as an untouched tree is
  }
  const db = new Database(path.join(WORK, 'bench.db'));
  db.pragma('journal_mode = WAL');
  const store = new SqliteDsStatsStore(db);
  await store.migrate();
  let t = performance.now();
  const first = await runScan(store, { roots: [tree] });
  const firstS = (performance.now() - t) / 1000;
  t = performance.now();
  const again = await runScan(store, { roots: [tree] });
  const rescanS = (performance.now() - t) / 1000;
  db.close();
  return { files: first.files, firstS, rescanS, reused: again.reused };
}

fs.mkdirSync(WORK, { recursive: true });
const csv = path.join(WORK, 'big.csv');
console.log(`generating ${(SIZE / 2 ** 20).toFixed(0)} MiB CSV in ${csv} …`);
const expectedRows = generateCsv(csv, SIZE);
const bytes = fs.statSync(csv).size;
const mb = bytes / 1e6;
// Warm the page cache so that every contender reads from memory.
timed('sh', ['-c', 'cat "$1" > /dev/null', 'sh', csv]);

const wc = best(3, 'wc', ['-l', csv]);
const me = ours(csv);
const floor = JSON.parse(timed(process.execPath, ['-e', NEWLINES_CHILD, csv]).stdout);
const small = path.join(WORK, 'small.csv');
generateCsv(small, 32 * 2 ** 20);
const meSmall = ours(small);
console.log('running Python csv.reader (one run; it is the slow one) …');
const py = fs.existsSync(PYTHON) ? timed(PYTHON, ['-c', PY_CHILD, csv]) : undefined;
const scan = await rescanBench();

const rate = (s) => `${(mb / s).toFixed(0).padStart(6)} MB/s`;
console.log(`\nfile: ${mb.toFixed(0)} MB, ${expectedRows} data rows (with quoted line breaks)`);
const newlines = wc.stdout.split(' ')[0];
console.log(`wc -l            ${wc.seconds.toFixed(3)} s ${rate(wc.seconds)}  (${newlines} `
  + 'newlines: not rows)');
console.log(`edutech counter  ${me.seconds.toFixed(3)} s ${rate(me.seconds)}  rows=${me.rows}`
  + ` ${me.rows === expectedRows ? 'exact' : 'WRONG'}`);
console.log(`node newline count ${floor.seconds.toFixed(3)} s ${rate(floor.seconds)}  (JS floor: `
  + 'newlines only, native indexOf)');
if (py) {
  console.log(`python csv       ${py.seconds.toFixed(3)} s ${rate(py.seconds)}  rows=${py.stdout}`);
}
console.log(`\nratio vs wc -l:      ${(wc.seconds / me.seconds).toFixed(2)}× (target ≥ 0.5×)`);
console.log(`ratio vs JS floor:   ${(floor.seconds / me.seconds).toFixed(2)}×`);
if (py) {
  console.log(`ratio vs python csv: ${(py.seconds / me.seconds).toFixed(1)}× (target ≥ 5×)`);
}
console.log(`peak RSS: ${(me.maxRssKb / 1024).toFixed(0)} MiB counting ${mb.toFixed(0)} MB, `
  + `${(meSmall.maxRssKb / 1024).toFixed(0)} MiB counting 34 MB (flat = same)`);
console.log(`\nscan of ${scan.files} files: first ${scan.firstS.toFixed(2)} s, unchanged rescan `
  + `${scan.rescanS.toFixed(2)} s (target < 1 s), reused ${scan.reused}`);

if (!process.argv.includes('--keep')) fs.rmSync(WORK, { recursive: true, force: true });
