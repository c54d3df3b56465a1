import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors';
import { shippedModelsDir } from '../config';
import { FEATURE_COUNT, FEATURE_INDEX, FEATURE_NAMES } from '../features/definitions';
import { ModelRegistry } from './registry';

/**
 * What the registry accepts from a graph: one float32 score in 0..1 per row, from an input as
 * wide as the manifest's feature list. The graphs are written here, byte by byte, as the ONNX
 * protobuf (no protobuf library is installed), and run by the real ONNX Runtime.
 */

// --- A minimal protobuf writer: varints and length-delimited fields are all ONNX needs. ---

function varint(value: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(value));
  const bytes: number[] = [];
  do {
    const low = Number(v & 0x7fn);
    v >>= 7n;
    bytes.push(v ? low | 0x80 : low);
  } while (v);
  return bytes;
}

type Bytes = number[];
const int = (field: number, value: number | bigint): Bytes =>
  [...varint(field << 3), ...varint(value)];
const bytes = (field: number, data: Uint8Array | Bytes): Bytes =>
  [...varint((field << 3) | 2), ...varint(data.length), ...data];
const text = (field: number, value: string): Bytes => bytes(field, Buffer.from(value, 'utf8'));
const message = (field: number, ...parts: Bytes[]): Bytes => bytes(field, parts.flat());

const FLOAT = 1;
const INT64 = 7;
type Dim = number | string;

/** ValueInfoProto: a named tensor of `elemType` and shape `dims` (a string is symbolic). */
function valueInfo(field: number, name: string, elemType: number, dims: Dim[]): Bytes {
  const shape = dims.map((d) => message(1, typeof d === 'number' ? int(1, d) : text(2, d)));
  return message(field, text(1, name),
    message(2, message(1, int(1, elemType), message(2, ...shape))));
}

/** TensorProto initializer of float32 (or int64) values. */
function initializer(name: string, dims: number[], values: number[], elemType = FLOAT): Bytes {
  const raw = elemType === FLOAT
    ? Buffer.from(new Float32Array(values).buffer)
    : Buffer.from(new BigInt64Array(values.map(BigInt)).buffer);
  return message(5, ...dims.map((d) => int(1, d)), int(2, elemType), text(8, name), bytes(9, raw));
}

function node(op: string, inputs: string[], outputs: string[], ...attributes: Bytes[]): Bytes {
  return message(1, ...inputs.map((i) => text(1, i)), ...outputs.map((o) => text(2, o)),
    text(4, op), ...attributes);
}

interface Graph {
  /** Input width the graph declares (a string: symbolic). */
  declaredWidth: Dim;
  /** Input width the weights actually take. */
  width: number;
  /** Columns of the output; each repeats input column 0. */
  columns?: number;
  /** Output columns the graph declares, when it is to lie about them. */
  declaredColumns?: number;
  output?: 'float' | 'int64' | 'vector';
}

/**
 * A graph whose scores are input column 0, so a test chooses each row's score through the
 * features it passes: Y = X · W with W one-hot on row 0, then optionally Squeeze or Cast.
 */
function writeGraph(file: string, g: Graph): void {
  const columns = g.columns ?? 1;
  const weights = Array.from({ length: g.width * columns }, (_, i) => (i < columns ? 1 : 0));
  const nodes = [node('MatMul', ['features', 'W'], [g.output ? 'y' : 'score'])];
  const inits = [initializer('W', [g.width, columns], weights)];
  let out = valueInfo(12, 'score', FLOAT, ['N', g.declaredColumns ?? columns]);
  if (g.output === 'int64') {
    const to = message(5, text(1, 'to'), int(3, INT64), int(20, 2)); // AttributeProto, INT
    nodes.push(node('Cast', ['y'], ['score'], to));
    out = valueInfo(12, 'score', INT64, ['N', columns]);
  } else if (g.output === 'vector') {
    nodes.push(node('Squeeze', ['y', 'axes'], ['score']));
    inits.push(initializer('axes', [1], [1], INT64));
    out = valueInfo(12, 'score', FLOAT, ['N']);
  } else if (g.output === 'float') {
    nodes.push(node('Identity', ['y'], ['score']));
  }
  const graph = message(7, ...nodes, text(2, 'test'), ...inits,
    valueInfo(11, 'features', FLOAT, ['N', g.declaredWidth]), out);
  const model = [...int(1, 8), ...message(8, text(1, ''), int(2, 17)), ...graph];
  fs.writeFileSync(file, Buffer.from(model));
}

// --- Folders of test models. ---

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edutech-registry-run-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const features = FEATURE_NAMES.slice(0, 4);

function manifest(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name, metric: 'm2_success', kind: 'classifier', description: 'test graph',
    file: `${name}.onnx`, input: 'features', output: 'score', features,
    trainedOn: [], evaluatedOn: [], evaluation: [], ...extra,
  };
}

/** A models folder holding one model `m` built from `graph`, or from a committed .onnx. */
function folderWith(graph: Graph | string, extra: Record<string, unknown> = {}): ModelRegistry {
  const dir = fs.mkdtempSync(path.join(tmp, 'models-'));
  const onnx = path.join(dir, 'm.onnx');
  if (typeof graph === 'string') fs.copyFileSync(graph, onnx);
  else writeGraph(onnx, graph);
  fs.writeFileSync(path.join(dir, 'm.json'), JSON.stringify(manifest('m', extra)));
  return new ModelRegistry(dir);
}

/** Full-width app rows whose first manifest feature (the graphs' score) is `scores`. */
function rowsScoring(scores: number[]): Float32Array {
  const rows = new Float32Array(scores.length * FEATURE_COUNT);
  scores.forEach((s, r) => {
    rows[r * FEATURE_COUNT + FEATURE_INDEX[features[0]!]] = s;
  });
  return rows;
}

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

const good: Graph = { declaredWidth: 4, width: 4 };

describe('ModelRegistry runs only graphs that give one score in 0..1 per row', () => {
  it('passes the scores of a float32 [N, 1] or [N] output through unchanged', async () => {
    for (const output of [undefined, 'vector'] as const) {
      const model = await folderWith({ ...good, output }).get('m');
      const scores = await model.run(rowsScoring([0, 0.25, 1]), 3);
      expect([...scores]).toEqual([0, 0.25, 1]);
    }
  });

  it('refuses float32 [N, 2] (sklearn\'s [p0, p1]) rather than take a column', async () => {
    const registry = folderWith({ ...good, columns: 2 });
    const error = await failure(registry.get('m'));
    expect(error.code).toBe('MODEL_FAILED');
    expect(error.message).toMatch(/model m \(.*m\.onnx\) gives float32 \[N,2\].*float32 \[N, 1\]/);
  });

  it('refuses an int64 output instead of failing on BigInt as INTERNAL', async () => {
    const error = await failure(folderWith({ ...good, output: 'int64' }).get('m'));
    expect(error.code).toBe('MODEL_FAILED');
    expect(error.message).toMatch(/m\.onnx\) gives int64 \[N,1\]/);
  });

  it('checks each run\'s output too: a graph may declare [N, 1] and give [N, 2]', async () => {
    const model = await folderWith({ ...good, columns: 2, declaredColumns: 1 }).get('m');
    const error = await failure(model.run(rowsScoring([0.5, 0.5, 0.5]), 3));
    expect(error.code).toBe('MODEL_FAILED');
    expect(error.message).toMatch(/m\.onnx\) gave float32 \[3,2\] for 3 rows/);
  });

  for (const [label, value, shown] of [
    ['NaN', Number.NaN, 'NaN'], ['+Infinity', Infinity, 'Infinity'],
    ['-Infinity', -Infinity, '-Infinity'], ['230', 230, '230'], ['below 0', -0.5, '-0.5'],
  ] as const) {
    it(`refuses a score of ${label}, naming the row and the value`, async () => {
      const model = await folderWith(good).get('m');
      const error = await failure(model.run(rowsScoring([0.1, 0.2, value, 0.3]), 4));
      expect(error.code).toBe('MODEL_FAILED');
      expect(error.message).toMatch(/^model m \(.*m\.onnx\) gave /);
      expect(error.message).toContain(`gave ${shown} for row 2:`);
    });
  }

  it('refuses a graph whose input is wider than the manifest\'s feature list', async () => {
    // project_1911 takes 16 features; the manifest lists 4.
    const registry = folderWith(path.join(shippedModelsDir(), 'project_1911.onnx'),
      { output: 'probability' });
    const error = await failure(registry.get('m'));
    expect(error.code).toBe('MODEL_FAILED');
    expect(error.message).toMatch(/takes 16 features per row, but its manifest lists 4/);
  });

  it('names the feature count when a symbolic-width graph cannot take the rows', async () => {
    const model = await folderWith({ declaredWidth: 'K', width: 6 }).get('m');
    const error = await failure(model.run(rowsScoring([0.5]), 1));
    expect(error.code).toBe('MODEL_FAILED');
    expect(error.message).toMatch(/m\.onnx\) failed to run on 1 rows of the manifest's 4 features/);
  });

  it('refuses a manifest naming an input or output the graph does not have', async () => {
    for (const [extra, pattern] of [
      [{ input: 'x' }, /has no input named x \(it has features\)/],
      [{ output: 'p' }, /has no output named p \(it has score\)/],
    ] as const) {
      const error = await failure(folderWith(good, extra).get('m'));
      expect(error.code).toBe('MODEL_FAILED');
      expect(error.message).toMatch(pattern);
    }
  });
});
