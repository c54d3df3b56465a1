import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { operationNames, operations } from './index';

/**
 * Every operation's input refuses keys it does not know: a misspelled field must not be
 * dropped in silence and the call run on defaults (`presnetations`, `to_week`, `week`).
 */
describe('operation inputs are strict', () => {
  it.each(operationNames)('%s refuses an unknown field, naming it', (name) => {
    const parsed = operations[name].input.safeParse({ presnetations: ['AAA-2013J'] });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues).toContainEqual(expect.objectContaining({
      code: 'unrecognized_keys', keys: ['presnetations'],
      message: expect.stringContaining('"presnetations"') }));
  });

  it.each(operationNames)('%s is documented with additionalProperties: false', (name) => {
    const json = z.toJSONSchema(operations[name].input, { io: 'input' }) as Record<string, unknown>;
    expect(json.additionalProperties).toBe(false);
  });
});
