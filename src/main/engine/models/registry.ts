import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { AppError } from '../../../shared/errors';
import { FEATURE_COUNT, FEATURE_INDEX, type FeatureName } from '../features/definitions';
import { manifestSchema, type ModelManifest } from './manifest';
import { log } from '../log';
import {
  MAX_MANIFEST_BYTES, MAX_MODEL_BYTES, openModelFile, readModelFile, readModelFileText,
} from './model-file';
import { parityProblem, readParityVectors } from './parity-vectors';

/** Reads and checks one manifest; throws an Error saying what is wrong with it. */
function readManifest(full: string): ModelManifest {
  let text: string;
  try {
    text = readModelFileText(full, MAX_MANIFEST_BYTES);
  } catch (error) {
    throw new Error(`${full} ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`${full} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`${full} is not a model manifest: `
      + parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  }
  const unknown = parsed.data.features.filter((f) => !Object.hasOwn(FEATURE_INDEX, f));
  if (unknown.length) {
    throw new Error(`${full} names features this app does not compute: ${unknown.join(', ')}`);
  }
  return parsed.data;
}

/**
 * Checks a session's declared input and output against the manifest before anything is scored:
 * a feature list longer or shorter than the graph's input, or an output that is not one float32
 * per row (sklearn's [p0, p1], an int64 label), must fail at load with the model and file named.
 * Dimensions the graph leaves symbolic are checked at run time instead.
 */
function checkSignature(session: ort.InferenceSession, manifest: ModelManifest, file: string) {
  const fail = (what: string): never => {
    throw new AppError('MODEL_FAILED', `model ${manifest.name} (${file}) ${what}`,
      { model: manifest.name, file });
  };
  const input = session.inputMetadata.find((m) => m.name === manifest.input);
  if (!input) {
    fail(`has no input named ${manifest.input} (it has ${session.inputNames.join(', ')})`);
  }
  if (input?.isTensor) {
    const width = input.shape[1];
    if (input.type !== 'float32' || (input.shape.length && input.shape.length !== 2)) {
      fail(`takes ${input.type} [${input.shape}] as ${manifest.input}; expected float32 [N, `
        + `${manifest.features.length}]`);
    }
    if (typeof width === 'number' && width !== manifest.features.length) {
      fail(`takes ${width} features per row, but its manifest lists `
        + `${manifest.features.length}: the manifest does not belong to this graph`);
    }
  }
  const output = session.outputMetadata.find((m) => m.name === manifest.output);
  if (!output) {
    fail(`has no output named ${manifest.output} (it has ${session.outputNames.join(', ')})`);
  }
  if (output?.isTensor) {
    const [, columns, ...more] = output.shape;
    const oneColumn = typeof columns !== 'number' || columns === 1;
    if (output.type !== 'float32' || more.length || !oneColumn) {
      fail(`gives ${output.type} [${output.shape}] as ${manifest.output}; expected float32 `
        + '[N, 1] or [N], one score per row');
    }
  }
}

/** `project_2411_clf.json` is a manifest; `project_2411_clf.vectors.json` is not. */
const MANIFEST_FILE = /^[a-z][a-z0-9_]*\.json$/;

/** A loaded model: its manifest and a reusable ONNX Runtime session. */
export interface LoadedModel {
  manifest: ModelManifest;
  /**
   * Scores many feature rows (full FEATURE_COUNT-wide rows) in one ONNX run: one score in 0..1
   * per row, or MODEL_FAILED if the graph gives anything else.
   */
  run(rows: Float32Array, count: number): Promise<Float32Array>;
}

/**
 * The models folder: manifests are read on first use and sessions are created once per model,
 * because creating an ONNX session costs far more than running one.
 */
export class ModelRegistry {
  private manifests?: Map<string, ModelManifest>;
  private readonly sessions = new Map<string, Promise<LoadedModel>>();
  /**
   * Models that cannot be used, with the reason: manifests that could not be read (by file name
   * without `.json`) and manifests whose .onnx file is missing, empty or not a regular file (by
   * model name); after verify(), also models whose graph cannot be loaded or does not
   * reproduce its parity vectors.
   */
  readonly broken = new Map<string, string>();

  constructor(readonly folder: string) {}

  /** The usable models; the others are in `broken`. */
  list(): ModelManifest[] {
    return [...this.load().values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  manifest(name: string): ModelManifest {
    const manifest = this.load().get(name);
    const brokenReason = this.broken.get(name);
    if (!manifest && brokenReason) {
      throw new AppError('MODEL_FAILED', `model ${name} cannot be used: ${brokenReason}`,
        { model: name });
    }
    if (!manifest) {
      const known = [...this.load().keys()];
      const where = !fs.existsSync(this.folder)
        ? `the models folder ${this.folder} does not exist (--models, EDUTECH_MODELS)`
        : known.length ? `models in ${this.folder}: ${known.join(', ')}`
          : `no models in ${this.folder}`;
      throw new AppError('UNKNOWN_MODEL', `unknown model "${name}" (${where})`,
        { model: name, known, folder: this.folder });
    }
    return manifest;
  }

  get(name: string): Promise<LoadedModel> {
    const manifest = this.manifest(name);
    let loaded = this.sessions.get(name);
    if (!loaded) {
      loaded = this.open(manifest);
      loaded.catch(() => this.sessions.delete(name));
      this.sessions.set(name, loaded);
    }
    return loaded;
  }

  private async open(manifest: ModelManifest): Promise<LoadedModel> {
    const started = performance.now();
    const name = manifest.name;
    const file = path.join(this.folder, manifest.file);
    let bytes: Buffer;
    try {
      bytes = await readModelFile(file, MAX_MODEL_BYTES);
    } catch (error) {
      throw new AppError('MODEL_FAILED', `cannot load model ${name}: ${file} `
        + (error as Error).message, { model: name, file });
    }
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
    } catch (error) {
      throw new AppError('MODEL_FAILED', `cannot load model ${name} from ${file}: `
        + (error as Error).message, { model: name, file });
    }
    try {
      checkSignature(session, manifest, file);
    } catch (error) {
      await session.release();
      throw error;
    }
    const columns = manifest.features.map((f) => FEATURE_INDEX[f as FeatureName]);
    const width = columns.length;

    const fail = (what: string) =>
      new AppError('MODEL_FAILED', `model ${name} (${file}) ${what}`, { model: name, file });

    const model: LoadedModel = {
      manifest,
      async run(rows, count) {
        const input = new Float32Array(count * width);
        for (let r = 0; r < count; r++) {
          for (let c = 0; c < width; c++) {
            input[r * width + c] = rows[r * FEATURE_COUNT + columns[c]!]!;
          }
        }
        const tensor = new ort.Tensor('float32', input, [count, width]);
        let result: ort.InferenceSession.OnnxValueMapType;
        try {
          result = await session.run({ [manifest.input]: tensor });
        } catch (error) {
          // A graph with a symbolic input width gets here when the manifest's list is too
          // long or short for it.
          throw fail(`failed to run on ${count} rows of the manifest's ${width} features: `
            + (error as Error).message);
        }

        // Shapes are checked per run as well as at load: a graph may declare [N, K] and still
        // return something else, and taking column 0 of [N, 2] would be silently wrong.
        const output = result[manifest.output];
        if (!output) throw fail(`gave no output named ${manifest.output}`);
        const dims = output.dims;
        if (output.type !== 'float32' || dims[0] !== count || dims.length > 2
          || (dims.length === 2 && dims[1] !== 1) || output.data.length !== count) {
          throw fail(`gave ${output.type} [${dims}] for ${count} rows; expected float32 `
            + `[${count}, 1] or [${count}]`);
        }

        // Both metrics are shares (a probability, a share of coursework weight), and every
        // shipped graph ends in a sigmoid or a Clip(0, 1), so 0..1 is exact, with no tolerance.
        // The negated test catches NaN too. A plain loop: the backfill runs this ~230k times/s.
        const scores = output.data as Float32Array;
        for (let i = 0; i < count; i++) {
          const score = scores[i]!;
          if (!(score >= 0 && score <= 1)) {
            throw fail(`gave ${score} for row ${i}: a score must be a finite number in 0..1`);
          }
        }
        return scores.slice();
      },
    };
    try {
      const vectors = readParityVectors(this.folder, name);
      const problem = vectors && await parityProblem(manifest, vectors, model.run);
      if (problem) throw fail(problem);
    } catch (error) {
      await session.release();
      throw error instanceof AppError ? error : fail((error as Error).message);
    }
    log.debug('model.load', { model: name, durationMs: performance.now() - started });
    return model;
  }

  /**
   * Loads every listed model, so that a list shows the ones that cannot run: a graph that does
   * not parse, does not fit its manifest or does not reproduce its parity vectors moves to
   * `broken` with the reason. Sessions are kept for the scoring that follows.
   */
  async verify(): Promise<void> {
    if (!fs.existsSync(this.folder)) {
      throw new AppError('BAD_INPUT', `the models folder ${this.folder} does not exist `
        + '(--models, EDUTECH_MODELS)', { folder: this.folder });
    }
    for (const manifest of this.list()) {
      try {
        await this.get(manifest.name);
      } catch (error) {
        this.manifests!.delete(manifest.name);
        this.broken.set(manifest.name, (error as Error).message);
        log.warn('model.unusable', { model: manifest.name, reason: (error as Error).message });
      }
    }
  }

  private load(): Map<string, ModelManifest> {
    if (this.manifests) return this.manifests;
    const found = new Map<string, ModelManifest>();
    const files = fs.existsSync(this.folder)
      ? fs.readdirSync(this.folder).filter((f) => MANIFEST_FILE.test(f))
      : [];
    for (const file of files.sort()) {
      const full = path.join(this.folder, file);
      let name = file.replace(/\.json$/, '');
      try {
        const manifest = readManifest(full);
        const twin = found.get(manifest.name);
        if (twin) throw new Error(`model name ${manifest.name} is also used by another manifest`);
        name = manifest.name;

        // Listing checks the .onnx is there, so `models list` does not offer a model that can
        // only fail; whether it is a valid graph is found when a session is created.
        const onnx = path.join(this.folder, manifest.file);
        try {
          fs.closeSync(openModelFile(onnx, MAX_MODEL_BYTES));
        } catch (error) {
          throw new Error(`its model file ${onnx} ${(error as Error).message}`);
        }
        found.set(manifest.name, manifest);
      } catch (error) {
        // One broken manifest must not take the other models down with it: it is skipped,
        // logged, and named when someone asks for that model.
        const reason = (error as Error).message;
        this.broken.set(name, reason);
        log.warn('model.manifest_skipped', { file: full, reason });
      }
    }
    this.manifests = found;
    return found;
  }
}
