import { z } from 'zod';
import { metricName } from '../../../shared/contract/models';

/**
 * `models/<name>.json`: what the app needs to run a model and what an analyst needs to trust it.
 * Written by the training command (training/train.py); read here and validated, so a hand-edited
 * manifest that names an unknown feature fails when the models are listed, not mid-backfill.
 */
export const manifestSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/),
  metric: metricName,
  kind: z.enum(['classifier', 'regressor']),
  description: z.string(),
  /** The .onnx file, a plain name inside the models folder (no path: nothing outside it). */
  file: z.string().regex(/^[A-Za-z0-9_.-]+\.onnx$/, 'a plain .onnx file name in the models folder'),
  /** ONNX input tensor name; float32 [N, features.length]. */
  input: z.string(),
  /** ONNX output tensor holding the score, float32 [N, 1] or [N]. */
  output: z.string(),
  /**
   * The app's feature names in the graph's input column order. Each once: a repeated name feeds
   * one column twice, so the width can still match the graph while an input it was trained on
   * gets the wrong feature. Two swapped names cannot be caught here (nor from the graph, which
   * keeps no names); only the parity vectors in `<name>.vectors.json` show that.
   */
  features: z.array(z.string()).min(1).superRefine((features, ctx) => {
    const repeated = new Set(features.filter((f, i) => features.indexOf(f) !== i));
    if (repeated.size) {
      ctx.addIssue({ code: 'custom', message: `repeated: ${[...repeated].join(', ')}` });
    }
  }),
  trainedOn: z.array(z.string()),
  evaluatedOn: z.array(z.string()),
  evaluation: z.array(z.record(z.string(), z.number().nullable())),
  card: z.record(z.string(), z.unknown()).optional(),
}).refine((m) => (m.metric === 'm2_success') === (m.kind === 'classifier'), {
  // Back-tests pick their figures by kind and their labels by metric: the two must agree.
  message: 'm2_success is a classifier\'s metric and m2_progress a regressor\'s',
  path: ['kind'],
});
export type ModelManifest = z.infer<typeof manifestSchema>;
