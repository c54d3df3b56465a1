import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import type { CallContext, OperationName, OutputOf } from '../../src/shared/contract';
import { Engine } from '../../src/main/engine/engine';
import { startServer, type RunningServer } from '../../src/main/http/server';
import { REPO } from './cli';
import { OULAD_DIR } from './shared';

export const MODELS_DIR = path.join(REPO, 'models');

/** Whether a model's manifest and ONNX file are both in the repo's models folder. */
export function haveModel(name: string): boolean {
  return fs.existsSync(path.join(MODELS_DIR, `${name}.json`))
    && fs.existsSync(path.join(MODELS_DIR, `${name}.onnx`));
}

/** A fresh temp folder, removed by the returned function. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A private copy of the store the global setup imported from ../shared/data/oulad, so a suite
 * can open it read-write (WAL files, migrations) without touching other suites' reads.
 */
export function copyOuladDb(dir: string): string {
  const source = inject('ouladDb');
  if (!source) throw new Error('the global setup imported no OULAD store');
  const target = path.join(dir, 'oulad.db');
  fs.copyFileSync(source, target);
  return target;
}

/**
 * The OULAD folder without its click files (symlinks, nothing copied): a real import that
 * streams six progress events in about a second, for tests of the job plumbing.
 */
export function ouladWithoutClicks(dir: string): string {
  const folder = path.join(dir, 'oulad-no-clicks');
  fs.mkdirSync(folder);
  for (const file of ['courses', 'assessments', 'vle', 'studentRegistration', 'studentInfo',
    'studentAssessment']) {
    fs.symlinkSync(path.join(OULAD_DIR, `${file}.csv`), path.join(folder, `${file}.csv`));
  }
  return folder;
}

/**
 * The real engine, recording how each call ended, so a test can see that a job it abandoned
 * was cancelled rather than only that the connection closed.
 */
export class ObservedEngine extends Engine {
  readonly outcomes: Promise<{ op: OperationName; code?: string }>[] = [];

  override call<K extends OperationName>(
    name: K, rawInput: unknown, ctx: CallContext = {},
  ): Promise<OutputOf<K>> {
    const result = super.call(name, rawInput, ctx);
    this.outcomes.push(result.then(() => ({ op: name }),
      (error: { code?: string }) => ({ op: name, code: error.code })));
    return result;
  }
}

export interface TestServer extends RunningServer {
  engine: ObservedEngine;
  stop(): Promise<void>;
}

/** The real HTTP host on a free loopback port, over a real engine on `dbPath`. */
export async function startTestServer(
  dbPath: string, opts: { webRoot?: string | false } = {},
): Promise<TestServer> {
  const engine = new ObservedEngine({ dbPath, modelsDir: MODELS_DIR });
  const server = await startServer(engine, { port: 0, webRoot: opts.webRoot ?? false });
  return {
    ...server,
    engine,
    async stop() {
      await server.close();
      await engine.close();
    },
  };
}

/** POSTs one operation as a client would; the parsed body and the status come back. */
export async function post(
  url: string, name: string, body: unknown,
): Promise<{ status: number; body: any }> {
  const response = await fetch(`${url}/api/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}
