import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteDsStatsStore } from './ds-stats-sqlite';
import { renderMetrics } from './metrics';
import { runScan, type ScanProgress } from './scan';

let root: string;
let store: SqliteDsStatsStore;
const HOUR_AGO = new Date(Date.now() - 3600_000);

function put(rel: string, text: string, mtime: Date | null = HOUR_AGO): string {
  const file = path.join(root, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  // Written "an hour ago", outside the racy window of the scan that follows.
  if (mtime) fs.utimesSync(file, mtime, mtime);
  return file;
}

beforeEach(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'scan-job-'));
  store = new SqliteDsStatsStore(new Database(':memory:'));
  await store.migrate();
});

afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('incremental rescan', () => {
  beforeEach(() => {
    for (let k = 0; k < 10; k++) {
      put(`user0${k % 3}/data${k}.csv`, `a,b\n${'1,2\n'.repeat(k)}`);
      put(`user0${k % 3}/nb${k}.ipynb`, JSON.stringify({
        nbformat: 4, cells: Array.from({ length: k }, () => ({ cell_type: 'code' })) }));
    }
  });

  it('reuses the counts of unchanged files without reading them', async () => {
    const first = await runScan(store, { roots: [root] });
    expect(first).toMatchObject({ files: 20, reused: 0, csvRows: 45, codeCells: 45 });

    // Same size, same mtime, different content: only a reused count stays at 3.
    const file = path.join(root, 'user00/data3.csv');
    fs.writeFileSync(file, 'a,b\n1,2\n3,4\n"5\n6"\n'.slice(0, fs.statSync(file).size));
    fs.utimesSync(file, HOUR_AGO, HOUR_AGO);
    const second = await runScan(store, { roots: [root] });
    expect(second).toMatchObject({ files: 20, reused: 20, csvRows: 45, codeCells: 45 });
    const rows = await store.scanRows(second.scanId);
    expect(rows.every((r) => r.reused)).toBe(true);
    expect(rows.find((r) => r.path === 'user00/data3.csv')!.dataRows).toBe(3);
    expect((await renderMetrics(store)).body).toMatch(/^edutech_ds_last_scan_reused_files 20$/m);
  });

  it('recounts only a touched file', async () => {
    await runScan(store, { roots: [root] });
    const touched = new Date(Date.now() - 60_000);
    fs.utimesSync(path.join(root, 'user01/data4.csv'), touched, touched);
    const again = await runScan(store, { roots: [root] });
    expect(again.reused).toBe(19);
    const recounted = (await store.scanRows(again.scanId)).filter((r) => !r.reused);
    expect(recounted.map((r) => [r.path, r.dataRows])).toEqual([['user01/data4.csv', 4]]);
  });

  it('does not trust an mtime inside the racy window of the previous scan', async () => {
    put('user02/fresh.csv', 'a\n1\n', null); // mtime: now
    await runScan(store, { roots: [root] });
    const again = await runScan(store, { roots: [root] });
    expect(again).toMatchObject({ files: 21, reused: 20 });
    const fresh = (await store.scanRows(again.scanId)).find((r) => r.path === 'user02/fresh.csv');
    expect(fresh).toMatchObject({ reused: false, dataRows: 1 });
  });
});

describe('scan job', () => {
  it('fails with SCAN_FAILED for a root that is missing or not a folder', async () => {
    await expect(runScan(store, { roots: [path.join(root, 'nope')] })).rejects
      .toMatchObject({ code: 'SCAN_FAILED' });
    const file = put('file.csv', 'a\n');
    await expect(runScan(store, { roots: [file] })).rejects.toMatchObject({ code: 'SCAN_FAILED' });
  });

  it('is cancellable within one file and never reuses a cancelled scan', async () => {
    const line = '12345,"quoted, with\nline break",some plain text to make the line longer\n';
    put('user01/big.csv', `a,b,c\n${line.repeat(400_000)}`); // ~30 MB: 30 reads
    const controller = new AbortController();
    // Aborts once the count has started (after its first read), so only a check between reads
    // of this one file can stop the scan: without it the scan would finish normally.
    const onProgress = (e: ScanProgress) => {
      if (e.currentPath.endsWith('big.csv')) setTimeout(() => controller.abort(), 0);
    };
    const started = performance.now();
    await expect(runScan(store, { roots: [root], signal: controller.signal, onProgress }))
      .rejects.toMatchObject({ code: 'CANCELLED' });
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(await store.latestScan()).toBeUndefined(); // the cancelled scan is not "latest"
    expect((await store.previousFiles(root, 1)).size).toBe(0);
  });

  it('reports progress with files, bytes, errors and the current path', async () => {
    put('user01/a.csv', 'a\n1\n');
    put('user01/broken.ipynb', '{');
    const events: ScanProgress[] = [];
    await runScan(store, { roots: [root], onProgress: (e) => events.push(e) });
    expect(events.at(-1)).toMatchObject({ files: 2, bytes: 5, errors: 1, currentPath: '' });
    expect(events[0]!.currentPath).toContain(path.join('user01', 'a.csv'));
  });
});

const canDropPrivileges = typeof process.seteuid === 'function' && process.geteuid?.() === 0;

describe('unreadable files and folders', () => {
  it('records them and goes on', async (ctx) => {
    put('user01/ok.csv', 'a\n1\n');
    const secret = put('user01/secret.csv', 'a\n1\n');
    const locked = path.dirname(put('user02/locked/x.csv', 'a\n1\n'));
    fs.chmodSync(secret, 0o000);
    fs.chmodSync(locked, 0o000);
    fs.chmodSync(root, 0o755); // mkdtemp made it 0700: "nobody" must be able to enter it
    if (process.geteuid?.() === 0 && !canDropPrivileges) {
      ctx.skip(); // root reads through chmod 000 and cannot become another user here
    }
    try {
      // As root, chmod 000 does not stop a read: run the scan as "nobody" (effective uid only,
      // so this process can switch back).
      if (canDropPrivileges) process.seteuid!(65534);
      const result = await runScan(store, { roots: [root] });
      expect(result.files).toBe(2);
      expect(result.problems.map((p) => [path.relative(root, p.path), p.error])).toEqual([
        [path.join('user01', 'secret.csv'), 'unreadable: EACCES open'],
        [path.join('user02', 'locked'), 'unreadable: EACCES scandir'],
      ]);
    } finally {
      if (canDropPrivileges) process.seteuid!(0);
      fs.chmodSync(locked, 0o755);
    }
  });
});
