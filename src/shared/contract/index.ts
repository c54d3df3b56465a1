import type { z } from 'zod';
import { findStudents } from './students';
import { listModels } from './models';
import { importData } from './import';
import { score } from './score';
import { exportFeatures } from './features';
import { backfill } from './backfill';
import { scan } from './scan';
import { evaluateModel } from './evaluate';
import type { Operation } from './operation';

/**
 * Every operation the product offers, by name. Adding an entry here is the one step that makes
 * the operation reachable: the engine must then implement it (the type of `Handlers` demands
 * it), and IPC, HTTP and the renderer's client pick it up from this map.
 */
export const operations = {
  findStudents,
  listModels,
  importData,
  score,
  exportFeatures,
  backfill,
  scan,
  evaluateModel,
} as const satisfies Record<string, Operation>;

export type Operations = typeof operations;
export type OperationName = keyof Operations;
export const operationNames = Object.keys(operations) as OperationName[];

/** What a caller passes (before defaults and transforms are applied). */
export type InputOf<K extends OperationName> = z.input<Operations[K]['input']>;
/** What the engine receives, after validation. */
export type ParsedInputOf<K extends OperationName> = z.output<Operations[K]['input']>;
export type OutputOf<K extends OperationName> = z.output<Operations[K]['output']>;
export type ProgressOf<K extends OperationName> =
  NonNullable<Operations[K]['progress']> extends z.ZodType
    ? z.output<NonNullable<Operations[K]['progress']>>
    : never;

/** Per-call context a host hands to a long job. */
export interface CallContext<P = unknown> {
  signal?: AbortSignal;
  onProgress?: (event: P) => void;
}

/** The engine's side of the contract: one function per operation. */
export type Handlers = {
  [K in OperationName]: (
    input: ParsedInputOf<K>,
    ctx: CallContext<ProgressOf<K>>,
  ) => Promise<OutputOf<K>>;
};

/** The caller's side (renderer, preload, HTTP client): same names, raw inputs. */
export type Client = {
  [K in OperationName]: (input: InputOf<K>) => Promise<OutputOf<K>>;
};

export * from './operation';
export * from './students';
export * from './models';
export * from './import';
export * from './score';
export * from './features';
export * from './backfill';
export * from './scan';
export * from './evaluate';
