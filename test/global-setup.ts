import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { SqliteStore } from '../src/main/engine/store/sqlite-store';
import { importOulad } from '../src/main/engine/import/oulad';
import { OULAD_DIR } from './helpers/shared';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A SQLite store with ../shared/data/oulad imported once for the whole run (read-only use). */
    ouladDb: string;
  }
}

/** Imports the shared OULAD folder once; suites that change data copy this file first. */
export default async function setup(project: TestProject): Promise<() => void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edutech-test-'));
  const file = path.join(dir, 'oulad.db');
  if (fs.existsSync(OULAD_DIR)) {
    const store = new SqliteStore(file);
    await importOulad(store, OULAD_DIR);
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    await store.close();
  }
  project.provide('ouladDb', fs.existsSync(file) ? file : '');
  return () => fs.rmSync(dir, { recursive: true, force: true });
}
