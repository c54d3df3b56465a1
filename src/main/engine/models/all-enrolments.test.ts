import { afterAll, describe, expect, inject, it } from 'vitest';
import { haveShared } from '../../../../test/helpers/shared';
import { shippedModelsDir } from '../config';
import { Engine } from '../engine';
import { ModelRegistry } from './registry';

/**
 * Every enrolment of every presentation, with or without click data, must score with every
 * model: a back-test of each presentation scores all its enrolments at weeks 1..10 in the app's
 * own path (features, registry, ONNX), so one failure anywhere fails the run.
 */
const present = haveShared();
const manifests = new ModelRegistry(shippedModelsDir()).list();

describe.skipIf(!present)('every enrolment scores with every model', () => {
  let engine: Engine | undefined;
  const open = () => (engine ??= new Engine({ dbPath: inject('ouladDb'),
    modelsDir: shippedModelsDir() }));
  afterAll(async () => engine?.close());

  it('scores all 32,593 enrolments of the 22 presentations at weeks 1..10, within 0..1',
    async () => {
      const store = await open().localStore();
      const presentations = await store.listPresentations();
      expect(presentations).toHaveLength(22);
      let enrolments = 0;
      for (const presentation of presentations) {
        const expected = (await store.enrolledStudents(presentation)).length;
        enrolments += expected;
        for (const manifest of manifests) {
          const result = await open().call('evaluateModel', { model: manifest.name,
            presentation });
          for (const week of result.weeks) {
            expect(week.n, `${manifest.name} ${presentation}`).toBe(expected);
            expect(week.min_score!).toBeGreaterThanOrEqual(0);
            expect(week.max_score!).toBeLessThanOrEqual(1);
            expect(Number.isFinite(week.mean_score)).toBe(true);
          }
        }
      }
      expect(enrolments).toBe(32_593);
    });

  // One student each: in a presentation with clicks, in one without, and one who unregistered
  // before the start (OULAD's studentRegistration.csv).
  const cases: [string, number, string, number][] = [
    ['clicks', 11391, 'AAA-2013J', 5],
    ['no click data', 8462, 'DDD-2014J', 3],
    ['unregistered before the start', 292923, 'AAA-2013J', 5],
  ];
  for (const manifest of manifests) {
    it(`score works with ${manifest.name}`, async () => {
      for (const [, student, presentation, week] of cases) {
        const r = await open().call('score', { model: manifest.name, student, presentation,
          week });
        expect(r.metric).toBe(manifest.metric);
        expect(r.value).toBeGreaterThanOrEqual(0);
        expect(r.value).toBeLessThanOrEqual(1);
      }
    });
  }
});
