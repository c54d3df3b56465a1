import { AppError } from '../../../shared/errors';
import { learningSchema, type Dialect } from './schema';
import type { TableSet } from './tables';

/**
 * Versioned migrations, applied in order and recorded per table set in `schema_migrations`, so
 * a store created by an older version of the app is brought forward on first use. Never edit a
 * released migration: add the next version.
 */
export interface Migration {
  version: number;
  name: string;
  statements: (tables: TableSet, dialect: Dialect) => string[];
}

export const MIGRATIONS: Migration[] = [
  { version: 1, name: 'canonical learning tables', statements: learningSchema },
];

export const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  profile TEXT NOT NULL,
  version INTEGER NOT NULL,
  name TEXT NOT NULL,
  applied_at TEXT NOT NULL,
  PRIMARY KEY (profile, version)
)`;

/**
 * STORE_FAILED when a newer version of the app has migrated the store past the versions this one
 * knows: its tables may have changed in ways this version would misread or overwrite.
 */
export function refuseNewerSchema(applied: Iterable<number>, label: string): void {
  const known = Math.max(...MIGRATIONS.map((m) => m.version));
  const newest = Math.max(0, ...applied);
  if (newest <= known) return;
  throw new AppError('STORE_FAILED', `${label} has schema version ${newest}, written by a newer `
    + `Edutech Analyst; this one knows versions up to ${known}: update the app, or use another `
    + 'store', { version: newest, known });
}
