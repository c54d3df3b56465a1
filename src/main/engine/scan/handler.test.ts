import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type TestPostgres } from '../../../../test/helpers/pg';
import { scan } from '../../../shared/contract/scan';
import { scanOperation, type ScanDeps } from './handler';

let dir: string;
let server: TestPostgres;
let pool: pg.Pool;
let sqlite: Database.Database;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scan-handler-'));
  fs.mkdirSync(path.join(dir, 'ann'));
  fs.writeFileSync(path.join(dir, 'ann', 'a.csv'), 'x;y\n1;2\n3;4\n');
  fs.writeFileSync(path.join(dir, 'ann', 'n.ipynb'), '{"nbformat": 4, "cells": []}');
  server = await startPostgres();
  pool = new pg.Pool({ connectionString: server.url, max: 2 });
  pool.on('error', () => undefined); // the server stops under idle clients at teardown
  sqlite = new Database(':memory:');
});

afterAll(async () => {
  await pool?.end();
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe.each(['sqlite', 'postgres'] as const)('scan operation on %s', (target) => {
  it('validates against the contract: input defaults, output and progress', async () => {
    const deps: ScanDeps = { sqlite: () => ({ db: sqlite }), pg: () => pool };
    const input = scan.input.parse({ roots: [dir], target });
    const events: unknown[] = [];
    const output = await scanOperation(input, { onProgress: (e) => events.push(e) }, deps);
    expect(scan.output.parse(output)).toEqual(output);
    expect(output).toMatchObject({ target, files: 2, csvRows: 2, codeCells: 0, errors: 0 });
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) expect(scan.progress!.parse(e)).toEqual(e);
  });
});

describe('scan operation input', () => {
  it('rejects relative roots and exclusions that are paths', () => {
    expect(scan.input.safeParse({ roots: ['team'] }).success).toBe(false);
    expect(scan.input.safeParse({ roots: ['/x'], exclude: ['a/b'] }).success).toBe(false);
    expect(scan.input.parse({ roots: ['/x'] })).toEqual({ roots: ['/x'], target: 'sqlite',
      includeHidden: false, followSymlinks: false, personDepth: 1 });
  });

  it('fails with STORE_FAILED when Postgres is asked for but not configured', async () => {
    const input = scan.input.parse({ roots: [dir], target: 'postgres' });
    await expect(scanOperation(input, {}, { sqlite: () => sqlite })).rejects
      .toMatchObject({ code: 'STORE_FAILED' });
  });
});
