import type { z } from 'zod';
import type { ErrorCode } from '../errors';

/**
 * One operation of the product, declared once. The engine implements it, and the Electron IPC
 * bridge, the HTTP API (with its OpenAPI document) and the CLI are generated from or checked
 * against this declaration, so no host can drift from another.
 */
export interface Operation<
  I extends z.ZodType = z.ZodType,
  O extends z.ZodType = z.ZodType,
  P extends z.ZodType | undefined = z.ZodType | undefined,
> {
  summary: string;
  /**
   * Validated at every host boundary before the engine sees it. A `z.strictObject`: a
   * misspelled field (`presnetations`, `to_week`) would otherwise be dropped without a word and
   * the call run on defaults the caller never chose, so an unknown key is BAD_INPUT naming it.
   */
  input: I;
  output: O;
  /** The error codes this operation can fail with besides BAD_INPUT and INTERNAL. */
  errors: readonly ErrorCode[];
  /** Long jobs report progress events of this shape and accept an AbortSignal. */
  progress?: P;
}

/** Keeps literal types while checking the shape; use for every contract entry. */
export function defineOperation<
  I extends z.ZodType,
  O extends z.ZodType,
  P extends z.ZodType | undefined = undefined,
>(op: Operation<I, O, P>): Operation<I, O, P> {
  return op;
}
