import { z } from 'zod';
import type { Operation } from '../../shared/contract';
import { ERROR_CODES, type ErrorCode } from '../../shared/errors';
import { log } from '../engine/log';

/** A JSON Schema object as the OpenAPI document carries it. */
export type JsonSchema = Record<string, unknown>;

/** The body of every failed API call: the contract's WireError. */
export const wireErrorSchema: JsonSchema = {
  type: 'object',
  properties: {
    code: { type: 'string', enum: Object.keys(ERROR_CODES) },
    message: { type: 'string' },
    details: { type: 'object', additionalProperties: true },
  },
  required: ['code', 'message'],
};

/**
 * A zod schema as JSON Schema, for the OpenAPI document only. Inputs are described as callers
 * write them (`io: 'input'`: before defaults and transforms). A schema zod cannot express (a
 * custom refinement type, say) degrades to "any JSON" instead of taking the route down, since
 * the engine validates every input with the zod schema itself.
 */
export function toJsonSchema(schema: z.ZodType, io: 'input' | 'output', where: string): JsonSchema {
  try {
    const json = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
    // The document declares its own dialect; a per-schema `$schema` only confuses renderers.
    delete json.$schema;
    return json;
  } catch (error) {
    log.warn('http.schema_fallback', { where, message: (error as Error).message });
    return { description: `${where}: see the contract (not expressible as JSON Schema)` };
  }
}

/** Status → the error codes of one operation that answer with it, for the docs. */
export function errorResponses(op: Operation): Record<string, JsonSchema> {
  const codes: ErrorCode[] = [...new Set<ErrorCode>(['BAD_INPUT', ...op.errors, 'INTERNAL'])];
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = ERROR_CODES[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return Object.fromEntries([...byStatus].map(([status, list]) => [String(status), {
    description: list.map((c) => `${c}: ${ERROR_CODES[c].summary}`).join('; '),
    ...wireErrorSchema,
  }]));
}

/** One NDJSON line of a streamed call, documented for operations that report progress. */
export function streamLineSchema(op: Operation, name: string): JsonSchema {
  return {
    description: 'with `Accept: application/x-ndjson`: one JSON object per line, progress '
      + 'events first, then exactly one result or error line',
    oneOf: [
      { type: 'object', properties: { type: { const: 'progress' },
        event: op.progress ? toJsonSchema(op.progress, 'output', `${name}.progress`) : {} } },
      { type: 'object', properties: { type: { const: 'result' },
        value: toJsonSchema(op.output, 'output', `${name}.output`) } },
      { type: 'object', properties: { type: { const: 'error' }, error: wireErrorSchema } },
    ],
  };
}
