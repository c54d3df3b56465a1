import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installedTool } from '../../../../test/helpers/tools';
import { SqliteDsStatsStore } from './ds-stats-sqlite';
import { renderMetrics, serveMetrics, writeMetricsTextfile } from './metrics';
import { runScan } from './scan';

let dir: string;
let store: SqliteDsStatsStore;
let empty: SqliteDsStatsStore;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scan-metrics-'));
  const put = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, 'team', rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, 'team', rel), text);
  };
  put('ann/a.csv', 'x,y\n1,2\n3,4\n');
  put('ann/n.ipynb', '{"nbformat": 4, "cells": [{"cell_type": "code"}]}');
  put('bob/b.csv', 'x\n1\n');
  put('bob/bad.ipynb', 'not json');
  store = new SqliteDsStatsStore(new Database(':memory:'));
  empty = new SqliteDsStatsStore(new Database(':memory:'));
  await store.migrate();
  await empty.migrate();
  await runScan(store, { roots: [path.join(dir, 'team')] });
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const promtool = () => installedTool(['/usr/bin/promtool', '/usr/local/bin/promtool'],
  'prometheus', 'the promtool check');

describe('metrics', () => {
  it('exposes the latest scan by person and kind, in base units, with no per-file label',
    async () => {
      const { body, contentType } = await renderMetrics(store);
      expect(contentType).toMatch(/^text\/plain/);
      expect(body).toMatch(/^edutech_ds_last_scan_present 1$/m);
      expect(body).toMatch(/^edutech_ds_files\{person="ann",kind="csv"\} 1$/m);
      expect(body).toMatch(/^edutech_ds_file_errors\{person="bob",kind="notebook"\} 1$/m);
      expect(body).toMatch(/^edutech_ds_csv_data_rows\{person="ann"\} 2$/m);
      expect(body).toMatch(/^edutech_ds_notebook_code_cells\{person="ann"\} 1$/m);
      expect(body).toMatch(/^edutech_ds_size_bytes\{person="bob",kind="csv"\} 4$/m);
      expect(body).toMatch(/^edutech_ds_last_scan_duration_seconds \d/m);
      expect(body).toMatch(/^edutech_ds_last_scan_timestamp_seconds 1\d{9}(\.\d+)?$/m);
      expect(body).not.toMatch(/path=|\.csv"/);
    });

  it('passes promtool check metrics, with and without a scan in the store', async () => {
    const tool = promtool();
    if (!tool) return;
    for (const s of [store, empty]) {
      const { body } = await renderMetrics(s);
      const check = spawnSync(tool, ['check', 'metrics'], { input: body, encoding: 'utf8' });
      expect(check.stdout + check.stderr, body).toBe('');
      expect(check.status).toBe(0);
    }
  });

  it('serves GET /metrics on loopback and nothing else', async () => {
    const server = await serveMetrics(store, { port: 0 });
    try {
      const { address, port } = server.address() as AddressInfo;
      expect(address).toBe('127.0.0.1');
      const ok = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain('edutech_ds_files');
      expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(404);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('writes the node_exporter textfile by rename, leaving no temporary file', async () => {
    const file = path.join(dir, 'edutech.prom');
    fs.writeFileSync(file, 'old content\n');
    await writeMetricsTextfile(store, file);
    expect(fs.readFileSync(file, 'utf8')).toBe((await renderMetrics(store)).body);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
