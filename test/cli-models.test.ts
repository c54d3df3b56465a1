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
  // Models whose files are all there and parse, but do not belong together, so only loading
  // the graph and running its parity vectors shows it: a manifest whose feature list was
  // reordered by hand, a manifest beside another model's graph of the same width
  // (project_1611 reads project_2411_clf's 20 features), and a graph cut in half.
  const shipped = (file: string) => path.join(REPO, 'models', file);
  const clf = JSON.parse(fs.readFileSync(shipped('project_2411_clf.json'), 'utf8'));
  const progress = JSON.parse(fs.readFileSync(shipped('project_1611.json'), 'utf8'));
  const features = [...clf.features];
  [features[2], features[3]] = [features[3], features[2]];
  for (const [name, onnx, edit] of [
    ['reordered', 'project_2411_clf.onnx', { features }],
    ['swapped', 'project_1611.onnx', { output: progress.output }],
  ] as const) {
    fs.writeFileSync(path.join(dir, `${name}.json`),
      JSON.stringify({ ...clf, ...edit, name, file: `${name}.onnx` }));
    fs.copyFileSync(shipped(onnx), path.join(dir, `${name}.onnx`));
    fs.copyFileSync(shipped('project_2411_clf.vectors.json'),
      path.join(dir, `${name}.vectors.json`));
  }
  fs.writeFileSync(path.join(dir, 'truncated.json'),
    JSON.stringify({ ...orphan, name: 'truncated', file: 'truncated.onnx' }));
  const graph = fs.readFileSync(shipped('project_1911.onnx'));
  fs.writeFileSync(path.join(dir, 'truncated.onnx'), graph.subarray(0, graph.length / 2));
  const db = path.join(dir, 'cache.sqlite');

  it('lists the good model and each broken one with its reason, exit 0', () => {
    const json = runCli(['--db', db, '--models', dir, '--json', 'models', 'list']);
    expect(json.status).toBe(0);
    expect(json.json.models.map((m: { name: string }) => m.name)).toEqual(['project_1911']);
    expect(json.json.broken).toEqual([
      { name: 'half_written', reason: expect.stringMatching(/half_written\.json is not valid JSON/) },
      { name: 'orphan', reason: expect.stringMatching(/orphan\.onnx is missing$/) },
      { name: 'reordered', reason: expect.stringMatching(new RegExp(
        `its manifest lists its features as ${features.join(', ')}, but the model was trained `
        + `on ${clf.features.join(', ')} \\(its parity vectors\\)$`)) },
      { name: 'swapped', reason: expect.stringMatching(new RegExp('gives [\\d.e-]+ for .* where '
        + 'training gave [\\d.e-]+ \\(tolerance 0\\.00001\\): the \\.onnx file is not the one this '
        + 'manifest was trained with$')) },
      { name: 'truncated',
        reason: expect.stringMatching(/^cannot load model truncated from .*truncated\.onnx: /) },
    ]);

    const text = runCli(['--db', db, '--models', dir, 'models', 'list']);
    expect(text.status).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^project_1911\s+m2_success\s+classifier/);
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/^half_written\s+BROKEN\s+.*not valid JSON/),
      expect.stringMatching(/^orphan\s+BROKEN\s+.*orphan\.onnx is missing$/),
      expect.stringMatching(/^reordered\s+BROKEN\s+.*its parity vectors\)$/),
      expect.stringMatching(/^swapped\s+BROKEN\s+.*not the one this manifest was trained with$/),
      expect.stringMatching(/^truncated\s+BROKEN\s+cannot load model truncated/),
    ]);
  });

  it('refuses to score with a model that does not reproduce its parity vectors', () => {
    const r = runCli(['--db', db, '--models', dir, '--json', 'score', 'swapped', '11391', '5']);
    expect(r.status).toBe(11);
    expect(r.json.error).toMatchObject({ code: 'MODEL_FAILED', details: { model: 'swapped' } });
    expect(r.json.error.message).toMatch(/not the one this manifest was trained with$/);
  });

  it('says a models folder that does not exist is not one, instead of listing nothing', () => {
    const missing = path.join(dir, 'no-such-folder');
    const r = runCli(['--db', db, '--models', missing, '--json', 'models', 'list']);
    expect(r.status).toBe(2);
    expect(r.json.error).toMatchObject({ code: 'BAD_INPUT',
      message: `the models folder ${missing} does not exist (--models, EDUTECH_MODELS)` });
  });

  it('fails as MODEL_FAILED, with the same reason, when a broken model is asked for', () => {
    const r = runCli(['--db', db, '--models', dir, '--json', 'models', 'evaluate', 'orphan',
      '--presentation', 'AAA-2013J']);
    expect(r.status).toBe(11);
    expect(r.json.error).toMatchObject({ code: 'MODEL_FAILED', details: { model: 'orphan' } });
    expect(r.json.error.message).toMatch(/^model orphan cannot be used: .*orphan\.onnx is missing$/);
  });
});
