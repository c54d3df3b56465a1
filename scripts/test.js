#!/usr/bin/env node
'use strict';
// Runs the whole vitest suite and ends with one plain line, "N passed, N failed, N skipped",
// that CI and people can read without knowing vitest's own summary format.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const report = path.join(__dirname, '..', 'test-results', 'vitest.json');
fs.rmSync(report, { force: true });
const args = ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile=${report}`,
  ...process.argv.slice(2)];
const run = spawnSync('npx', args, { stdio: 'inherit', shell: process.platform === 'win32' });

let summary = 'tests: 0 passed, 0 failed';
if (fs.existsSync(report)) {
  const r = JSON.parse(fs.readFileSync(report, 'utf8'));
  const skipped = r.numPendingTests + r.numTodoTests;
  summary = `tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`;
  // A file that fails before its tests are collected (a missing fixture under CI, an import
  // error) adds no failed test, so it is counted apart: "0 failed" must not hide it.
  const broken = r.testResults.filter((f) => f.status === 'failed' && f.assertionResults
    .every((t) => t.status !== 'failed'));
  if (broken.length) {
    summary += `; ${broken.length} test file(s) failed outside any test: `
      + broken.map((f) => path.relative(path.join(__dirname, '..'), f.name)).join(', ');
  }
}
process.stdout.write(`\n${summary}\n`);
process.exit(run.status ?? 1);
