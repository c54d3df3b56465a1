import { z } from 'zod';
import { defineOperation } from './operation';

export const metricName = z.enum(['m2_success', 'm2_progress']);
export type MetricName = z.infer<typeof metricName>;

/** What an analyst sees of a model: its manifest, the model card included. */
export const modelCard = z.object({
  name: z.string(),
  metric: metricName,
  kind: z.enum(['classifier', 'regressor']),
  description: z.string(),
  features: z.array(z.string()),
  trainedOn: z.array(z.string()),
  evaluatedOn: z.array(z.string()),
  /** Evaluation by week on presentations the model was not trained on. */
  evaluation: z.array(z.record(z.string(), z.number().nullable())),
  card: z.record(z.string(), z.unknown()).optional(),
});
export type ModelCard = z.infer<typeof modelCard>;

export const listModels = defineOperation({
  summary: 'List the models in the models folder with their cards',
  input: z.strictObject({}).default({}),
  output: z.object({
    models: z.array(modelCard),
    /**
     * Models in the folder that cannot be used, with the reason (an unreadable manifest, a
     * missing .onnx file, a graph that does not load or does not reproduce the parity vectors
     * it was trained with): listed so a broken model is seen, not silently absent.
     */
    broken: z.array(z.object({ name: z.string(), reason: z.string() })),
  }),
  errors: ['BAD_INPUT', 'MODEL_FAILED'],
});
