#!/usr/bin/env node
'use strict';
// The CLI entry: the compiled TypeScript lives in dist/ (built by `npm ci` through `prepare`).
const path = require('node:path');
const fs = require('node:fs');
const entry = path.join(__dirname, '..', 'dist', 'main', 'cli', 'index.js');
if (!fs.existsSync(entry)) {
  process.stderr.write('edutech: not built yet; run `npm run build:node` in ' +
    path.join(__dirname, '..') + '\n');
  process.exit(1);
}
require(entry).main(process.argv).then((code) => { process.exitCode = code; });
