import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { countCsvFile } from './csv-count-file';
import { FileProblem } from './file-problem';
import { countNotebookFile } from './notebook-count';

/**
 * A named pipe under a name the walk listed as a file (it was replaced between the walk and
 * the count). A plain open would wait for a writer forever; the counters must record it.
 */
describe('a file replaced by a named pipe', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edutech-fifo-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const fifo = (name: string) => {
    const file = path.join(dir, name);
    execFileSync('mkfifo', [file]);
    return file;
  };

  it.each([
    ['data.csv', (f: string) => countCsvFile(f)],
    ['analysis.ipynb', (f: string) => countNotebookFile(f)],
  ])('%s is a not-a-file problem, at once', async (name, count) => {
    const error = await count(fifo(name)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FileProblem);
    expect((error as FileProblem).toText())
      .toBe('not-a-file: a named pipe replaced the file during the scan');
  }, 5_000);
});
