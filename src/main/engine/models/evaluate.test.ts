import { describe, expect, inject, it } from 'vitest';
import { runCli } from '../../../../test/helpers/cli';
import { haveShared, readOuladCsv } from '../../../../test/helpers/shared';
import { shippedModelsDir } from '../config';
import { ModelRegistry } from './registry';

/**
 * `edutech models evaluate` must reproduce each model card: the figures training/train.py
 * computed with sklearn/torch on the exported matrix, recomputed here by the app's own
 * features, ONNX session and metrics on a real OULAD store (imported once per run by
 * test/global-setup.ts).
 */
const present = haveShared();
const TOLERANCE = 0.005;
const manifests = new ModelRegistry(shippedModelsDir()).list();

describe.skipIf(!present)('edutech models evaluate reproduces the model cards', () => {
  for (const manifest of manifests) {
    const presentation = manifest.evaluatedOn[0]!;

    it(`${manifest.name} on ${presentation}`, () => {
      const r = runCli(['--db', inject('ouladDb'), '--models', shippedModelsDir(), '--json',
        'models', 'evaluate', manifest.name, '--presentation', presentation]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.json).toMatchObject({ model: manifest.name, presentation, cardPresentation: true,
        trainedOn: false });

      const measured = new Map<number, Record<string, unknown>>(
        r.json.weeks.map((w: Record<string, unknown>) => [w.week, w]));
      expect([...measured.keys()]).toEqual(manifest.evaluation.map((e) => e.week));
      const keys = manifest.kind === 'classifier'
        ? ['auc', 'brier', 'ece'] : ['mae', 'mae_naive'];
      for (const card of manifest.evaluation) {
        const week = measured.get(card.week!)!;
        expect(week.n).toBe(card.n);
        if (card.positives !== undefined) expect(week.positives).toBe(card.positives);
        for (const key of keys) {
          expect(card[key], `${key} in the card, week ${card.week}`).toEqual(expect.any(Number));
          const got = week[key] as number;
          expect(Math.abs(got - card[key]!), `${key} week ${card.week}: ${got} vs ${card[key]}`)
            .toBeLessThanOrEqual(TOLERANCE);
        }
      }
    });
  }

  it('refuses weeks the presentation does not have, as score does', () => {
    const r = runCli(['--db', inject('ouladDb'), 'models', 'evaluate', 'project_2411_clf',
      '--presentation', 'AAA-2013J', '--weeks', '0,5,40']);
    expect(r.status).toBe(8);
    expect(r.stderr).toContain('BAD_WEEK: weeks 0, 40 are outside AAA-2013J, which has weeks 1..39');
  });

  it('measures the last, partial week on the presentation\'s last day, as score does', () => {
    const r = runCli(['--db', inject('ouladDb'), '--json', 'models', 'evaluate', 'project_1911',
      '--presentation', 'AAA-2013J', '--weeks', '39']);
    expect(r.status).toBe(0);
    const course = readOuladCsv('courses.csv')
      .find((c) => c.code_module === 'AAA' && c.code_presentation === '2013J')!;
    expect(r.json.weeks.map((w: { day: number }) => w.day))
      .toEqual([Number(course.module_presentation_length)]);
  });
});
