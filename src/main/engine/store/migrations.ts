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
