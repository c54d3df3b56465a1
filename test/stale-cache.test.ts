/**
 * A long-running engine (the window, `edutech serve`) and a CLI import share one SQLite file.
 * The engine caches each presentation's facts and cohort; an import made by the other process
 * must be seen by the next call, not after a restart.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/main/engine/engine';
import { runCli } from './helpers/cli';
import { copyOuladDb, MODELS_DIR, ouladWithoutClicks, tempDir } from './helpers/http';
import { haveShared, OULAD_DIR, readOuladCsv } from './helpers/shared';

const present = haveShared();

describe.skipIf(!present)('an import by another process', () => {
  const tmp = tempDir('edutech-stale-');
  let dbPath: string;
  let running: Engine;
  const input = { model: 'project_2411_clf', student: 11391, week: 5 };

  beforeAll(() => {
    dbPath = copyOuladDb(tmp.dir);
    running = new Engine({ dbPath, modelsDir: MODELS_DIR });
  });
  afterAll(async () => {
    await running?.close();
    tmp.remove();
  });

  it('is seen by the next score of a running engine', async () => {
    const before = await running.call('score', input);
    expect(before.features.click_data_available).toBe(1);

    // Re-importing with AAA-2013J's clicks cut to the first two weeks (its real lines up to
    // day 13, quoting and CRLF kept) replaces that presentation's clicks: by week 5 the student
    // has fewer active days. The other click presentations have no file here and are kept.
    const folder = ouladWithoutClicks(tmp.dir);
    const file = 'studentVle_AAA_2013J.csv';
    const lines = fs.readFileSync(path.join(OULAD_DIR, file), 'utf8').split('\r\n');
    const early = readOuladCsv(file)
      .flatMap((row, i) => (Number(row.date) <= 13 ? [lines[i + 1]!] : []));
    fs.writeFileSync(path.join(folder, file), `${[lines[0]!, ...early].join('\r\n')}\r\n`);
    const r = runCli(['--db', dbPath, 'import', 'oulad', folder]);
    expect(r.status, r.stderr).toBe(0);

    const after = await running.call('score', input);
    const fresh = new Engine({ dbPath, modelsDir: MODELS_DIR });
    try {
      const expected = await fresh.call('score', input);
      expect(expected.features.click_data_available).toBe(1);
      expect(expected.features.active_days).toBeLessThan(before.features.active_days!);
      expect(expected.features.days_since_last_click).toBeGreaterThan(20);
      expect(after.features).toEqual(expected.features);
      expect(after.value).toBe(expected.value);
      expect(after.value).not.toBe(before.value);
    } finally {
      await fresh.close();
    }
  }, 60_000);
});
