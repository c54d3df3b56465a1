import { afterAll, describe, expect, inject, it } from 'vitest';
import { haveShared, readOuladCsv } from '../../../../test/helpers/shared';
import { shippedModelsDir } from '../config';
import { Engine } from '../engine';
import { rocAuc } from './evaluate';
import { ModelRegistry } from './registry';

/**
 * An analyst, or an independent check on a presentation held back from training, measures a
 * model by scoring its students one at a time with `score`, not with the back-test. That path
 * (one enrolment's features, one ONNX row) must give the cards' AUC: a difference from the
 * batched back-test would go unnoticed by every other test. Outcomes come from studentInfo.csv,
 * read apart from the importer.
 */
const present = haveShared();
const TOLERANCE = 0.005;
const classifiers = new ModelRegistry(shippedModelsDir()).list()
  .filter((m) => m.metric === 'm2_success');

describe.skipIf(!present)('scoring one enrolment at a time gives the cards\' AUC', () => {
  let engine: Engine | undefined;
  const open = () => (engine ??= new Engine({ dbPath: inject('ouladDb'),
    modelsDir: shippedModelsDir() }));
  afterAll(async () => engine?.close());

  for (const manifest of classifiers) {
    const presentation = manifest.evaluatedOn[0]!;
    it(`${manifest.name} on ${presentation}, weeks 3, 5 and 10`, async () => {
      const [module, code] = presentation.split('-');
      const outcomes = readOuladCsv('studentInfo.csv').filter((r) => r.code_module === module
        && r.code_presentation === code && r.final_result !== '');
      expect(outcomes.length).toBeGreaterThan(1000);
      const labels = outcomes.map((r) => (['Pass', 'Distinction'].includes(r.final_result!)
        ? 1 : 0));
      const backTest = await open().call('evaluateModel', { model: manifest.name, presentation,
        weeks: [3, 5, 10] });

      for (const week of [3, 5, 10]) {
        const scores: number[] = [];
        for (const r of outcomes) {
          const s = await open().call('score', { model: manifest.name,
            student: Number(r.id_student), presentation, week });
          expect(s.asOfDay).toBe(7 * week - 1);
          scores.push(s.value);
        }
        const auc = rocAuc(labels, scores)!;
        const card = manifest.evaluation.find((e) => e.week === week)!.auc!;
        const batched = backTest.weeks.find((w) => w.week === week)!.auc!;
        expect(Math.abs(auc - card), `week ${week}: ${auc} vs card ${card}`)
          .toBeLessThanOrEqual(TOLERANCE);
        expect(auc, `week ${week} against the back-test`).toBeCloseTo(batched, 6);
      }
    });
  }
});
