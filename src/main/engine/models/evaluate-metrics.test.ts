import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  brierScore, expectedCalibrationError, meanAbsoluteError, rocAuc,
} from './evaluate';

/** The definition itself, O(n²): every positive-negative pair, a tie counting one half. */
function pairwiseAuc(labels: number[], scores: number[]): number | null {
  let wins = 0;
  let pairs = 0;
  labels.forEach((yi, i) => {
    if (yi !== 1) return;
    labels.forEach((yj, j) => {
      if (yj !== 0) return;
      pairs++;
      wins += scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    });
  });
  return pairs === 0 ? null : wins / pairs;
}

describe('back-test metrics', () => {
  it('AUC counts ties one half, as the pairwise definition does', () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBe(0.75);
    expect(rocAuc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5])).toBe(0.5);
    expect(rocAuc([0, 1], [0.2, 0.2])).toBe(0.5);
    // Scores drawn from a few values, so most lists have ties within and across classes.
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 6 })),
        { minLength: 1, maxLength: 60 }),
      (pairs) => {
        const labels = pairs.map(([y]) => y);
        const scores = pairs.map(([, s]) => s / 6);
        const expected = pairwiseAuc(labels, scores);
        const got = rocAuc(labels, scores);
        if (expected === null) return got === null;
        return got !== null && Math.abs(got - expected) < 1e-12;
      },
    ));
  });

  it('AUC is null when only one outcome occurs', () => {
    expect(rocAuc([1, 1, 1], [0.1, 0.5, 0.9])).toBeNull();
    expect(rocAuc([], [])).toBeNull();
  });

  it('ECE uses ten equal-width bins, a score of 1 in the last', () => {
    const labels = [0, 0, 1, 1, 1];
    const scores = [0.05, 0.15, 0.15, 0.95, 1.0];
    // bin 0: |0.05 − 0| · 1/5; bin 1: |0.15 − 0.5| · 2/5; bin 9: |0.975 − 1| · 2/5.
    expect(expectedCalibrationError(labels, scores)).toBeCloseTo(0.01 + 0.14 + 0.01, 12);
    expect(expectedCalibrationError([0, 1], [0, 1])).toBe(0);
  });

  it('Brier and MAE are the mean squared and absolute errors', () => {
    expect(brierScore([0, 1, 1], [0.2, 0.6, 1])).toBeCloseTo((0.04 + 0.16 + 0) / 3, 12);
    expect(meanAbsoluteError([0, 0.5, 1], [0.2, 0.5, 0.7])).toBeCloseTo(0.5 / 3, 12);
  });
});
