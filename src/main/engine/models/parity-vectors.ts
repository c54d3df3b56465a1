import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { FEATURE_COUNT, FEATURE_INDEX, type FeatureName } from '../features/definitions';
import type { ModelManifest } from './manifest';
import { MAX_MANIFEST_BYTES, readModelFileText } from './model-file';

/**
 * `<name>.vectors.json`, written by training/train.py next to each model: feature rows and the
 * scores the training library gave them. A manifest and a graph cannot show on their own that
 * they belong together (a graph keeps no feature names, so two swapped names still fit its
 * width); running these rows at load can, so the registry does, and the parity test does it
 * with the shipped models.
 */
export const parityVectorsSchema = z.object({
  model: z.string(),
  features: z.array(z.string()),
  tolerance: z.number().positive(),
  rows: z.array(z.object({
    label: z.string(),
    input: z.array(z.number()),
    expected: z.number(),
  })).min(1),
});
export type ParityVectors = z.infer<typeof parityVectorsSchema>;

function parityVectorsFile(folder: string, model: string): string {
  return path.join(folder, `${model}.vectors.json`);
}

/** The model's vectors, undefined when it has none; throws an Error saying what is wrong. */
export function readParityVectors(folder: string, model: string): ParityVectors | undefined {
  const file = parityVectorsFile(folder, model);
  if (!fs.existsSync(file)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readModelFileText(file, MAX_MANIFEST_BYTES));
  } catch (error) {
    throw new Error(`${file} ${(error as Error).message}`);
  }
  const parsed = parityVectorsSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`${file} is not a parity-vectors file: `
      + parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  }
  const bad = parsed.data.rows.findIndex((r) => r.input.length !== parsed.data.features.length);
  if (bad >= 0) throw new Error(`${file}: row ${bad} does not hold one value per feature`);
  return parsed.data;
}

/** The vectors as full-width app rows (FEATURE_COUNT wide), the form a loaded model takes. */
export function fullWidthRows(vectors: ParityVectors): Float32Array {
  const rows = new Float32Array(vectors.rows.length * FEATURE_COUNT);
  vectors.rows.forEach((row, r) => {
    vectors.features.forEach((name, c) => {
      rows[r * FEATURE_COUNT + FEATURE_INDEX[name as FeatureName]] = row.input[c]!;
    });
  });
  return rows;
}

/**
 * Why a model does not reproduce its vectors, or undefined when it does. The feature lists are
 * compared first: a manifest edited after training names the wrong inputs even when the graph
 * still gives the old scores for rows laid out the old way.
 */
export async function parityProblem(
  manifest: ModelManifest,
  vectors: ParityVectors,
  run: (rows: Float32Array, count: number) => Promise<Float32Array>,
): Promise<string | undefined> {
  if (vectors.features.join() !== manifest.features.join()) {
    return `its manifest lists its features as ${manifest.features.join(', ')}, but the model `
      + `was trained on ${vectors.features.join(', ')} (its parity vectors)`;
  }
  const scores = await run(fullWidthRows(vectors), vectors.rows.length);
  const miss = vectors.rows.findIndex((row, i) =>
    !(Math.abs(scores[i]! - row.expected) <= vectors.tolerance));
  if (miss < 0) return undefined;
  const row = vectors.rows[miss]!;
  return `gives ${scores[miss]} for ${row.label}, where training gave ${row.expected} `
    + `(tolerance ${vectors.tolerance}): the .onnx file is not the one this manifest was `
    + 'trained with';
}
