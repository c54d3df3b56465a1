import { describe, expect, it } from 'vitest';
import { shippedModelsDir } from '../config';
import { fullWidthRows, readParityVectors, type ParityVectors } from './parity-vectors';
import { ModelRegistry } from './registry';

/**
 * Parity between training and the app: training/train.py writes, next to each model, feature
 * rows and the scores sklearn/torch/numpy gave them. A real ONNX Runtime session, opened
 * through the registry exactly as scoring opens it, must reproduce every score.
 */
const folder = shippedModelsDir();
const registry = new ModelRegistry(folder);
const manifests = registry.list();

function readVectors(name: string): ParityVectors {
  const vectors = readParityVectors(folder, name);
  if (!vectors) throw new Error(`${name} has no parity vectors in ${folder}`);
  return vectors;
}

describe('ONNX parity with the training side', () => {
  it('ships the four models', () => {
    expect(manifests.map((m) => m.name)).toEqual(expect.arrayContaining(
      ['project_1611', 'project_1911', 'project_2411_clf', 'project_2911']));
  });

  for (const manifest of manifests) {
    it(`${manifest.name} reproduces its parity vectors within the tolerance`, async () => {
      const vectors = readVectors(manifest.name);
      expect(vectors.features).toEqual(manifest.features);
      expect(vectors.rows.length).toBeGreaterThanOrEqual(40);
      expect(vectors.tolerance).toBeLessThanOrEqual(1e-5);

      const model = await registry.get(manifest.name);
      const scores = await model.run(fullWidthRows(vectors), vectors.rows.length);

      expect(scores.length).toBe(vectors.rows.length);
      const misses = vectors.rows
        .map((row, i) => ({ label: row.label, expected: row.expected, got: scores[i]! }))
        .filter((r) => !(Math.abs(r.got - r.expected) <= vectors.tolerance));
      expect(misses).toEqual([]);
    });
  }
});
