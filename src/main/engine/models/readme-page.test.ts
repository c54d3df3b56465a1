import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { installedTool } from '../../../../test/helpers/tools';
import { shippedModelsDir } from '../config';
import { ModelRegistry } from './registry';

/**
 * models/README.md is generated from the manifests by training/edutrain/readme.py, and a hand
 * edit on it was once lost at the next retrain. The generator needs only Python's standard
 * library, so CI runs it here: the committed page must be what the committed manifests make.
 */
const SCRIPT = path.join(shippedModelsDir(), '..', 'training', 'edutrain', 'readme.py');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edutech-readme-page-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const python = () => installedTool(['/usr/bin/python3'], 'python3',
  'the models/README.md check');

function check(folder: string) {
  return spawnSync(python()!, [SCRIPT, '--check', folder], { encoding: 'utf8' });
}

describe('models/README.md', () => {
  it('is what the committed manifests generate', () => {
    if (!python()) return;
    const run = check(shippedModelsDir());
    expect(run.stdout + run.stderr).toContain('matches its manifests');
    expect(run.status).toBe(0);
  });

  it('is reported, with the line, when a manifest figure changes without the page', () => {
    if (!python()) return;
    const dir = path.join(tmp, 'models');
    fs.cpSync(shippedModelsDir(), dir, { recursive: true });
    const file = path.join(dir, 'project_1611.json');
    const manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
    manifest.card.trainingSeconds += 1;
    fs.writeFileSync(file, JSON.stringify(manifest));
    const run = check(dir);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/README\.md, line \d+: differs from what the manifests generate/);
    expect(run.stdout).toContain(`${manifest.card.trainingSeconds} s on one CPU thread`);
  });

  it('names a JSON file that the app would read as a manifest but is not one', () => {
    if (!python()) return;
    const dir = path.join(tmp, 'stray');
    fs.cpSync(shippedModelsDir(), dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'notes.json'), '{}');
    // Not a manifest name for the app either way: ignored, the page still matches.
    fs.writeFileSync(path.join(dir, 'Notes.json'), '{}');
    const run = check(dir);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe(`${dir}: notes.json: not a model manifest (no name, kind, `
      + 'evaluation, card)\n');
    fs.rmSync(path.join(dir, 'notes.json'));
    expect(check(dir).status).toBe(0);
  });
});

describe('the README\'s model table', () => {
  it('shows each card\'s figures at weeks 3, 5 and 10, rounded to 3 decimals', () => {
    const readme = fs.readFileSync(path.join(shippedModelsDir(), '..', 'README.md'), 'utf8');
    const manifests = new ModelRegistry(shippedModelsDir()).list();
    expect(manifests).toHaveLength(4);
    for (const m of manifests) {
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${m.name}\` |`));
      expect(row, `${m.name} in README.md's model table`).toBeDefined();
      const key = m.kind === 'classifier' ? 'auc' : 'mae';
      const figures = [3, 5, 10].map((week) =>
        m.evaluation.find((e) => e.week === week)![key]!.toFixed(3));
      expect(row).toContain(`${key.toUpperCase()} ${figures.join(' / ')}`);
      if (m.card?.recommended) {
        const baseline = [3, 5, 10].map((week) =>
          m.evaluation.find((e) => e.week === week)!.auc_baseline_lr!.toFixed(3));
        expect(readme.replace(/\s+/g, ' ')).toContain(`AUC ${baseline.join(' / ')} there`);
      }
    }
  });
});
