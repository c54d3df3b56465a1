import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { AppError } from '../../../shared/errors';
import { FEATURE_COUNT, FEATURE_INDEX, type FeatureName } from '../features/definitions';
import { manifestSchema, type ModelManifest } from './manifest';
import { log } from '../log';

/** Reads and checks one manifest; throws an Error saying what is wrong with it. */
function readManifest(full: string): ModelManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(full, 'utf8'));
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

/** `project_2411_clf.json` is a manifest; `project_2411_clf.vectors.json` is not. */
const MANIFEST_FILE = /^[a-z][a-z0-9_]*\.json$/;

/** A loaded model: its manifest and a reusable ONNX Runtime session. */
export interface LoadedModel {
  manifest: ModelManifest;
  /** Scores many feature rows (full FEATURE_COUNT-wide rows) in one ONNX run. */
  run(rows: Float32Array, count: number): Promise<Float32Array>;
}

/**
 * The models folder: manifests are read on first use and sessions are created once per model,
 * because creating an ONNX session costs far more than running one.
 */
export class ModelRegistry {
  private manifests?: Map<string, ModelManifest>;
  private readonly sessions = new Map<string, Promise<LoadedModel>>();
  /** Manifests that could not be read, by file name without `.json`, with the reason. */
  readonly broken = new Map<string, string>();

  constructor(readonly folder: string) {}

  list(): ModelManifest[] {
    return [...this.load().values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  manifest(name: string): ModelManifest {
    const manifest = this.load().get(name);
    const brokenReason = this.broken.get(name);
    if (!manifest && brokenReason) {
      throw new AppError('MODEL_FAILED', `model ${name}'s manifest is broken: ${brokenReason}`,
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
    const file = path.join(this.folder, manifest.file);
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(file, { intraOpNumThreads: 1 });
    } catch (error) {
      throw new AppError('MODEL_FAILED', `cannot load ${file}: ${(error as Error).message}`,
        { model: manifest.name, file });
    }
    log.debug('model.load', { model: manifest.name, durationMs: performance.now() - started });
    const columns = manifest.features.map((f) => FEATURE_INDEX[f as FeatureName]);
    const width = columns.length;

    return {
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
          throw new AppError('MODEL_FAILED', `model ${manifest.name} failed to run: `
            + (error as Error).message, { model: manifest.name });
        }
        const output = result[manifest.output];
        if (!output) {
          throw new AppError('MODEL_FAILED',
            `model ${manifest.name} has no output named ${manifest.output}`);
        }
        return Float32Array.from(output.data as Float32Array);
      },
    };
  }

  private load(): Map<string, ModelManifest> {
    if (this.manifests) return this.manifests;
    const found = new Map<string, ModelManifest>();
    const files = fs.existsSync(this.folder)
      ? fs.readdirSync(this.folder).filter((f) => MANIFEST_FILE.test(f))
      : [];
    for (const file of files.sort()) {
      const full = path.join(this.folder, file);
      try {
        const manifest = readManifest(full);
        const twin = found.get(manifest.name);
        if (twin) throw new Error(`model name ${manifest.name} is also used by another manifest`);
        found.set(manifest.name, manifest);
      } catch (error) {
        // One broken manifest must not take the other models down with it: it is skipped,
        // logged, and named when someone asks for that model.
        const reason = (error as Error).message;
        this.broken.set(file.replace(/\.json$/, ''), reason);
        log.warn('model.manifest_skipped', { file: full, reason });
      }
    }
    this.manifests = found;
    return found;
  }
}
