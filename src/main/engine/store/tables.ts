import { AppError } from '../../../shared/errors';

/**
 * Table names a store reads and writes. A profile names a table set: the default one, or the
 * same schema with every table suffixed (`v4` reads `activity_v4` and writes `model_stats_v4`).
 * Names are checked here, once, because they are spliced into SQL text: a name that is not a
 * plain identifier never reaches a query builder.
 */
export interface TableSet {
  profile: string;
  presentations: string;
  enrolments: string;
  sites: string;
  activity: string;
  assessments: string;
  submissions: string;
  modelStats: string;
}

const IDENTIFIER = /^[a-z][a-z0-9_]*$/;
const MAX_IDENTIFIER = 63; // Postgres truncates longer names silently

export function assertIdentifier(name: string, what: string): string {
  if (!IDENTIFIER.test(name) || name.length > MAX_IDENTIFIER) {
    throw new AppError(
      'BAD_PROFILE',
      `${what} "${name}" is not a plain identifier ([a-z][a-z0-9_]*, at most 63 characters)`,
      { name, what },
    );
  }
  return name;
}

const BASE_NAMES = {
  presentations: 'presentations',
  enrolments: 'enrolments',
  sites: 'sites',
  activity: 'activity',
  assessments: 'assessments',
  submissions: 'submissions',
  modelStats: 'model_stats',
} as const;

/** The table set of a profile that suffixes every table (the empty suffix is the default). */
export function tableSet(profile = 'default', suffix = ''): TableSet {
  assertIdentifier(profile, 'profile');
  if (suffix !== '') assertIdentifier(`t${suffix}`, 'table suffix');
  const names = Object.fromEntries(
    Object.entries(BASE_NAMES)
      .map(([key, base]) => [key, assertIdentifier(base + suffix, 'table')]),
  ) as Record<keyof typeof BASE_NAMES, string>;
  return { profile, ...names };
}

export const DEFAULT_TABLES = tableSet();
