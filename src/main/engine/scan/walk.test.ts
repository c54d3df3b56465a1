import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personOf, walk, type WalkEntry, type WalkOptions } from './walk';

let root: string;

function put(rel: string, text = 'a,b\n1,2\n'): void {
  const file = path.join(root, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

async function list(options: WalkOptions = {}, from = root): Promise<WalkEntry[]> {
  const entries: WalkEntry[] = [];
  for await (const entry of walk(from, options)) entries.push(entry);
  return entries;
}

const files = (entries: WalkEntry[]) => entries.filter((e) => e.type === 'file').map((e) => e.rel);
const problems = (entries: WalkEntry[]) => entries.flatMap((e) =>
  e.type === 'problem' ? [`${e.rel} ${e.problem.reason}`] : []);

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'scan-walk-'));
  put('top.csv');
  put('user01/a.csv');
  put('user01/B.CSV');
  put('user01/.hidden/b.csv');
  put('user01/.ipynb_checkpoints/c-checkpoint.ipynb', '{"cells": []}');
  put('user01/node_modules/pkg/x.csv');
  put('user01/__pycache__/y.csv');
  put('user02/deep/er/nb.ipynb', '{"cells": []}');
  put('user02/notes.txt', 'not counted');
  put('user02/.dotfile.csv');
  try {
    execFileSync('mkfifo', [path.join(root, 'user02', 'pipe.csv')]);
  } catch {
    // No mkfifo here: the FIFO case is simply not exercised.
  }
});

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('walk', () => {
  it('skips hidden entries, the default folder names, other extensions and FIFOs', async () => {
    expect(files(await list())).toEqual([
      'top.csv', 'user01/B.CSV', 'user01/a.csv', 'user02/deep/er/nb.ipynb',
    ]);
  });

  it('records a FIFO under a scanned name as not-a-file, without opening it', async (ctx) => {
    if (!fs.existsSync(path.join(root, 'user02', 'pipe.csv'))) {
      // mkfifo is in coreutils, so CI always has it; a machine without one skips, saying so.
      if (process.env.CI === 'true') throw new Error('mkfifo failed: the FIFO case must run in CI');
      console.warn('skipping the FIFO case: mkfifo is not available here');
      ctx.skip();
    }
    const entries = await list();
    expect(problems(entries)).toEqual(['user02/pipe.csv not-a-file']);
    const entry = entries.find((e) => e.rel === 'user02/pipe.csv');
    expect(entry?.type === 'problem' && entry.problem.message)
      .toBe('a named pipe, not a regular file: not opened');
  });

  it('counts everything once exclusions are switched off', async () => {
    // Within a folder, files come before its subfolders.
    expect(files(await list({ includeHidden: true, exclude: [] })).sort()).toEqual([
      'top.csv', 'user01/.hidden/b.csv', 'user01/.ipynb_checkpoints/c-checkpoint.ipynb',
      'user01/B.CSV', 'user01/__pycache__/y.csv', 'user01/a.csv', 'user01/node_modules/pkg/x.csv',
      'user02/.dotfile.csv', 'user02/deep/er/nb.ipynb',
    ]);
    expect(files(await list({ exclude: ['deep'] }))).not.toContain('user02/deep/er/nb.ipynb');
  });

  it('attributes a file to the folder at the person depth', () => {
    expect(personOf('user01/a.csv')).toBe('user01');
    expect(personOf('top.csv')).toBe('(root)');
    expect(personOf('team/user07/x/y.csv', 2)).toBe('user07');
    expect(personOf('team/y.csv', 2)).toBe('(root)');
  });

  it('reports sizes and mtimes', async () => {
    const [first] = (await list()).filter((e) => e.type === 'file');
    expect(first).toMatchObject({ kind: 'csv', size: 8 });
    expect(first && first.type === 'file' && first.mtimeMs).toBeGreaterThan(0);
  });
});

describe('symbolic links', () => {
  let linked: string;

  beforeAll(() => {
    linked = fs.mkdtempSync(path.join(os.tmpdir(), 'scan-links-'));
    fs.mkdirSync(path.join(linked, 'user03', 'sub'), { recursive: true });
    fs.writeFileSync(path.join(linked, 'user03', 'sub', 'data.csv'), 'a\n1\n');
    fs.symlinkSync('..', path.join(linked, 'user03', 'sub', 'up')); // loop to an ancestor
    fs.symlinkSync(linked, path.join(linked, 'user03', 'root-again'));
    fs.symlinkSync('sub/data.csv', path.join(linked, 'user03', 'alias.csv'));
    fs.symlinkSync('missing.csv', path.join(linked, 'user03', 'broken.csv'));
  });

  afterAll(() => fs.rmSync(linked, { recursive: true, force: true }));

  it('does not follow links by default', async () => {
    const entries = await list({}, linked);
    expect(files(entries)).toEqual(['user03/sub/data.csv']);
    expect(problems(entries)).toEqual([]);
  });

  it('follows links on request, records loops and broken links, and always ends', async () => {
    const entries = await list({ followSymlinks: true }, linked);
    expect(files(entries)).toEqual(['user03/alias.csv', 'user03/sub/data.csv']);
    expect(problems(entries)).toEqual([
      'user03/broken.csv broken-symlink',
      'user03/root-again symlink-loop',
      'user03/sub/up symlink-loop',
    ]);
  }, 10_000);
});

describe('names that are not UTF-8', () => {
  let odd: string;
  beforeAll(() => {
    odd = fs.mkdtempSync(path.join(os.tmpdir(), 'scan-walk-bytes-'));
    const at = (...parts: (string | Buffer)[]) => Buffer.concat(
      [Buffer.from(`${odd}/`), ...parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p))]);
    fs.mkdirSync(at('ann'));
    fs.mkdirSync(at('bob'));
    fs.mkdirSync(at('ann/caf', Buffer.from([0xe9]), '_data'));
    fs.writeFileSync(at('ann/caf', Buffer.from([0xe9]), '_data/inside.csv'), 'a\n1\n');
    const e9 = Buffer.from([0xe9]);
    fs.writeFileSync(at('ann/r', e9, 'sum', e9, '.csv'), 'a\n1\n');
    fs.writeFileSync(at('ann/plain.csv'), 'a\n1\n');
    // Two Latin-1 names that decode to the same text, caf\uFFFD.csv.
    fs.writeFileSync(at('bob/caf', Buffer.from([0xe9]), '.csv'), 'a\n1\n');
    fs.writeFileSync(at('bob/caf', Buffer.from([0xe8]), '.csv'), 'a\n1\n');
  });
  afterAll(() => fs.rmSync(odd, { recursive: true, force: true }));

  it('are recorded with their bytes, not as vanished; the rest is scanned', async () => {
    const entries = await list({}, odd);
    expect(files(entries)).toEqual(['ann/plain.csv']);
    const recorded = entries.flatMap((e) => (e.type === 'problem' ? [e.problem.toText()] : []));
    expect(recorded).toEqual([
      "not-utf8-name: the name's bytes (caf\\xe9_data) are not UTF-8, so it cannot be opened "
        + 'by name: rename it to scan it',
      "not-utf8-name: the name's bytes (r\\xe9sum\\xe9.csv) are not UTF-8, so it cannot be "
        + 'opened by name: rename it to scan it',
      "not-utf8-name: the name's bytes (caf\\xe8.csv, caf\\xe9.csv) are not UTF-8, so it cannot "
        + 'be opened by name: rename it to scan it',
    ]);
    const paths = entries.map((e) => e.rel);
    expect(new Set(paths).size).toBe(paths.length);
  });
});
