import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors';
import { shippedModelsDir } from '../config';
import { ModelRegistry } from './registry';

/**
 * What may lie in a models folder besides models: a stray pipe, device, folder or huge file must
 * be reported as broken, never hang or kill the command that lists or loads the models. Real
 * files and the real ONNX Runtime throughout; the good model is the committed project_1911.
 */
const GOOD = 'project_1911';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edutech-registry-files-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A models folder holding the good model and a copy of its manifest as model `m`. */
function folder(edit: (m: Record<string, unknown>) => void = () => {}): string {
  const dir = fs.mkdtempSync(path.join(tmp, 'models-'));
  for (const ext of ['.json', '.onnx']) {
    fs.copyFileSync(path.join(shippedModelsDir(), GOOD + ext), path.join(dir, GOOD + ext));
  }
  const m = JSON.parse(fs.readFileSync(path.join(dir, `${GOOD}.json`), 'utf8'));
  m.name = 'm';
  m.file = 'm.onnx';
  edit(m);
  fs.writeFileSync(path.join(dir, 'm.json'), JSON.stringify(m));
  fs.copyFileSync(path.join(dir, `${GOOD}.onnx`), path.join(dir, 'm.onnx'));
  return dir;
}

/** Lists the folder: the good model must survive whatever `m` is, and `m` be named broken. */
function brokenReason(dir: string, name = 'm'): string {
  const registry = new ModelRegistry(dir);
  expect(registry.list().map((m) => m.name)).toEqual([GOOD]);
  const error = (() => {
    try {
      registry.manifest(name);
    } catch (e) {
      return e;
    }
  })();
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe('MODEL_FAILED');
  expect((error as AppError).message).toBe(`model ${name} cannot be used: `
    + registry.broken.get(name));
  return registry.broken.get(name)!;
}

/**
 * Puts a named pipe at `file` while `use` runs. Without the non-blocking open, opening the pipe
 * would block for good (this worker, or an ONNX Runtime thread); a writer that opens and closes
 * the pipe after a few seconds turns such a hang into a failed test (the read sees end of file)
 * rather than a stuck run.
 */
async function withPipe<T>(file: string, use: () => T | Promise<T>): Promise<T> {
  fs.rmSync(file);
  execFileSync('mkfifo', [file]);
  const unblock = spawn(process.execPath, ['-e', 'setTimeout(() => '
    + 'fs.closeSync(fs.openSync(process.argv[1], "w")), 3000)', file], { stdio: 'ignore' });
  const exited = new Promise((resolve) => unblock.once('exit', resolve));
  try {
    const started = performance.now();
    const result = await use();
    expect(performance.now() - started).toBeLessThan(1000);
    return result;
  } finally {
    unblock.kill();
    await exited;
  }
}

describe('ModelRegistry and stray files in the models folder', () => {
  it('names a named pipe posing as a manifest instead of hanging on it', async () => {
    const dir = folder();
    const reason = await withPipe(path.join(dir, 'm.json'), () => brokenReason(dir));
    expect(reason).toBe(`${path.join(dir, 'm.json')} is a named pipe, not a regular file`);
  });

  it('names a manifest linked to /dev/zero instead of reading it until memory runs out', () => {
    const dir = folder();
    fs.rmSync(path.join(dir, 'm.json'));
    fs.symlinkSync('/dev/zero', path.join(dir, 'm.json'));
    expect(brokenReason(dir)).toBe(`${path.join(dir, 'm.json')} is a device, not a regular file`);
  });

  it('refuses a manifest over 1 MiB', () => {
    const dir = folder();
    fs.writeFileSync(path.join(dir, 'm.json'), ' '.repeat(1024 * 1024 + 1));
    expect(brokenReason(dir)).toMatch(/m\.json is 1048577 bytes, over the 1048576-byte limit$/);
  });

  it('refuses a manifest that repeats a feature, naming it', () => {
    const dir = folder((m) => {
      const features = m.features as string[];
      features[3] = features[1]!;
    });
    const reason = brokenReason(dir);
    expect(reason).toMatch(/m\.json is not a model manifest: features: repeated: \w+$/);
  });

  for (const [label, make, expected] of [
    ['missing', (f: string) => fs.rmSync(f), 'is missing'],
    ['empty', (f: string) => fs.writeFileSync(f, ''), 'is empty'],
    ['a folder', (f: string) => {
      fs.rmSync(f);
      fs.mkdirSync(f);
    }, 'is a folder, not a regular file'],
    ['a link to /dev/zero', (f: string) => {
      fs.rmSync(f);
      fs.symlinkSync('/dev/zero', f);
    }, 'is a device, not a regular file'],
    ['over 1 GiB', (f: string) => fs.truncateSync(f, 1024 ** 3 + 1),
      `is ${1024 ** 3 + 1} bytes, over the ${1024 ** 3}-byte limit`],
  ] as const) {
    it(`lists a model whose .onnx is ${label} as broken, with the reason`, () => {
      const dir = folder();
      make(path.join(dir, 'm.onnx'));
      expect(brokenReason(dir)).toBe(`its model file ${path.join(dir, 'm.onnx')} ${expected}`);
    });
  }

  it('lists a model whose .onnx is a named pipe as broken, without hanging', async () => {
    const dir = folder();
    const reason = await withPipe(path.join(dir, 'm.onnx'), () => brokenReason(dir));
    expect(reason).toBe(`its model file ${path.join(dir, 'm.onnx')} is a named pipe, not a `
      + 'regular file');
  });

  it('refuses at load an .onnx that became a named pipe after the listing', async () => {
    const dir = folder();
    const registry = new ModelRegistry(dir);
    expect(registry.list().map((m) => m.name)).toEqual(['m', GOOD]);
    const error = await withPipe(path.join(dir, 'm.onnx'),
      () => registry.get('m').then(() => undefined, (e: unknown) => e));
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('MODEL_FAILED');
    expect((error as AppError).message).toBe(`cannot load model m: ${path.join(dir, 'm.onnx')} `
      + 'is a named pipe, not a regular file');
  });

  it('reports a truncated .onnx as MODEL_FAILED naming the file', async () => {
    const dir = folder();
    const onnx = path.join(dir, 'm.onnx');
    fs.truncateSync(onnx, Math.floor(fs.statSync(onnx).size / 2));
    const error = await new ModelRegistry(dir).get('m').then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('MODEL_FAILED');
    expect((error as AppError).message).toContain(`cannot load model m from ${onnx}: `);
  });
});
