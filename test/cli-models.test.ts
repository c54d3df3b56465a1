import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, runCli } from './helpers/cli';

/**
 * `edutech models list` on a models folder holding one good model (the committed project_1911)
 * and two that cannot be used: the usable model is listed, the broken ones are named with their
 * reason, and the command still succeeds, since nothing asked for the broken ones yet.
 */
describe('edutech models list names models it cannot use', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edutech-cli-models-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  for (const ext of ['.json', '.onnx']) {
    fs.copyFileSync(path.join(REPO, 'models', `project_1911${ext}`),
      path.join(dir, `project_1911${ext}`));
  }
  fs.writeFileSync(path.join(dir, 'half_written.json'), '{"name": "half_written", ');
  const orphan = JSON.parse(fs.readFileSync(path.join(dir, 'project_1911.json'), 'utf8'));
  fs.writeFileSync(path.join(dir, 'orphan.json'),
    JSON.stringify({ ...orphan, name: 'orphan', file: 'orphan.onnx' }));
  const db = path.join(dir, 'cache.sqlite');

  it('lists the good model and each broken one with its reason, exit 0', () => {
    const json = runCli(['--db', db, '--models', dir, '--json', 'models', 'list']);
    expect(json.status).toBe(0);
    expect(json.json.models.map((m: { name: string }) => m.name)).toEqual(['project_1911']);
    expect(json.json.broken).toEqual([
      { name: 'half_written', reason: expect.stringMatching(/half_written\.json is not valid JSON/) },
      { name: 'orphan', reason: expect.stringMatching(/orphan\.onnx is missing$/) },
    ]);

    const text = runCli(['--db', db, '--models', dir, 'models', 'list']);
    expect(text.status).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^project_1911\s+m2_success\s+classifier/);
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/^half_written\s+BROKEN\s+.*not valid JSON/),
      expect.stringMatching(/^orphan\s+BROKEN\s+.*orphan\.onnx is missing$/),
    ]);
  });

  it('fails as MODEL_FAILED, with the same reason, when a broken model is asked for', () => {
    const r = runCli(['--db', db, '--models', dir, '--json', 'models', 'evaluate', 'orphan',
      '--presentation', 'AAA-2013J']);
    expect(r.status).toBe(11);
    expect(r.json.error).toMatchObject({ code: 'MODEL_FAILED', details: { model: 'orphan' } });
    expect(r.json.error.message).toMatch(/^model orphan cannot be used: .*orphan\.onnx is missing$/);
  });
});
