import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Everything the engine is configured with, resolved in one place. */
export interface EngineConfig {
  /** SQLite file: the local store and offline cache. */
  dbPath: string;
  /** Folder of `<model>.json` manifests and `.onnx` files. */
  modelsDir: string;
  /** Postgres connection string; when absent the standard PG* variables apply. */
  pgUrl?: string;
}

export interface ConfigOverrides {
  db?: string;
  models?: string;
  pg?: string;
}

/**
 * Precedence: explicit option (`--db`), then environment (`EDUTECH_DB`, `EDUTECH_MODELS`,
 * `EDUTECH_PG_URL`), then the defaults: the user's data folder (where Electron keeps userData:
 * `~/.config/edutech-analyst` on Linux) and the `models/` folder shipped with the app.
 */
export function resolveConfig(overrides: ConfigOverrides = {}, env = process.env): EngineConfig {
  // An empty variable (`EDUTECH_MODELS=`) counts as unset, not as "the current folder".
  const set = (value: string | undefined) => (value === '' ? undefined : value);
  return {
    dbPath: path.resolve(set(overrides.db) ?? set(env.EDUTECH_DB)
      ?? path.join(userDataDir(env), 'edutech.db')),
    modelsDir: path.resolve(set(overrides.models) ?? set(env.EDUTECH_MODELS)
      ?? shippedModelsDir()),
    pgUrl: set(overrides.pg) ?? set(env.EDUTECH_PG_URL),
  };
}

export function userDataDir(env = process.env): string {
  const name = 'edutech-analyst';
  if (process.platform === 'win32') {
    return path.join(env.APPDATA ?? path.join(os.homedir(), 'AppData', 'Roaming'), name);
  }
  if (process.platform === 'darwin') {
    return path.join(os.homedir(), 'Library', 'Application Support', name);
  }
  return path.join(env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config'), name);
}

/** The `models/` folder next to the package root, found from wherever this file was built to. */
export function shippedModelsDir(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'models'))) {
      return path.join(dir, 'models');
    }
    dir = path.dirname(dir);
  }
  return path.resolve('models');
}
