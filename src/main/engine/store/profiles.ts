import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { AppError } from '../../../shared/errors';
import { assertIdentifier, tableSet, type TableSet } from './tables';

/**
 * Profiles: named table sets. `default` reads `enrolments`, `activity`, … and writes
 * `model_stats`; `v4` reads the same schema with every table suffixed `_v4` and writes
 * `model_stats_v4` (what `progon_users_v4.py` did). More profiles come from a JSON file:
 *
 *   { "profiles": { "v5": { "suffix": "_v5" },
 *                   "school": { "tables": { "activity": "lms_clicks" } } } }
 *
 * Every profile and table name is checked by `assertIdentifier` while the file is read,
 * because table names are spliced into SQL text: a bad one is refused (BAD_PROFILE) before any
 * statement is built.
 */

const tableKeys = ['presentations', 'enrolments', 'sites', 'activity', 'assessments',
  'submissions', 'modelStats'] as const;

const profileSchema = z.object({
  /** Appended to every base table name; empty for the default names. */
  suffix: z.string().max(30).default(''),
  /** Explicit names for some tables, for a school whose tables are named differently. */
  tables: z.partialRecord(z.enum(tableKeys), z.string()).default({}),
}).strict();

export const profilesFileSchema = z.object({
  profiles: z.record(z.string(), profileSchema),
}).strict();

export type ProfileSpec = z.input<typeof profileSchema>;

export const BUILT_IN_PROFILES: Record<string, ProfileSpec> = {
  default: { suffix: '' },
  v4: { suffix: '_v4' },
};

/** The table set a profile spec names; every name is checked here (BAD_PROFILE). */
export function profileTables(name: string, spec: ProfileSpec): TableSet {
  const parsed = profileSchema.parse(spec);
  const base = tableSet(name, parsed.suffix);
  const overrides = Object.entries(parsed.tables).map(([key, table]) =>
    [key, assertIdentifier(String(table), `table ${key} of profile ${name}`)]);
  return { ...base, ...Object.fromEntries(overrides) };
}

/**
 * Where profiles are read from: `EDUTECH_PROFILES` (the CLI's `--profiles` sets it), else
 * `profiles.json` beside the SQLite file. The second may be absent (built-ins only); a file
 * named explicitly must exist.
 */
export function profilesFile(
  dbPath: string,
  env = process.env,
): { file: string; explicit: boolean } {
  if (env.EDUTECH_PROFILES) return { file: path.resolve(env.EDUTECH_PROFILES), explicit: true };
  return { file: path.join(path.dirname(dbPath), 'profiles.json'), explicit: false };
}

/** Every known profile's table set: the built-ins plus those of the profiles file. */
export function loadProfiles(source: { file: string; explicit: boolean }): Map<string, TableSet> {
  const out = new Map<string, TableSet>();
  for (const [name, spec] of Object.entries(BUILT_IN_PROFILES)) {
    out.set(name, profileTables(name, spec));
  }
  if (!fs.existsSync(source.file)) {
    if (!source.explicit) return out;
    throw new AppError('BAD_PROFILE', `profiles file ${source.file} does not exist`,
      { file: source.file });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(source.file, 'utf8'));
  } catch (error) {
    throw new AppError('BAD_PROFILE', `profiles file ${source.file} is not valid JSON: `
      + (error as Error).message, { file: source.file });
  }
  const parsed = profilesFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new AppError('BAD_PROFILE', `profiles file ${source.file} is malformed: `
      + parsed.error.issues.map((i) => `${i.path.join('.') || 'file'}: ${i.message}`).join('; '),
    { file: source.file });
  }
  for (const [name, spec] of Object.entries(parsed.data.profiles)) {
    if (name in BUILT_IN_PROFILES) {
      throw new AppError('BAD_PROFILE', `profiles file ${source.file} redefines the built-in `
        + `profile "${name}"`, { file: source.file, profile: name });
    }
    out.set(name, profileTables(name, spec));
  }
  return out;
}

/**
 * One profile's table set; the name is checked before the file is even consulted. Built-ins
 * need no file, so a broken profiles file only stops the runs that ask for its profiles.
 */
export function resolveProfile(
  name: string,
  source: { file: string; explicit: boolean },
): TableSet {
  assertIdentifier(name, 'profile');
  const builtIn = BUILT_IN_PROFILES[name];
  if (builtIn && !source.explicit) return profileTables(name, builtIn);
  const profiles = loadProfiles(source);
  const tables = profiles.get(name);
  if (!tables) {
    throw new AppError('BAD_PROFILE', `unknown profile "${name}" (known: `
      + `${[...profiles.keys()].join(', ')})`, { profile: name, known: [...profiles.keys()] });
  }
  return tables;
}
