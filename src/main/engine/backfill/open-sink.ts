import { AppError } from '../../../shared/errors';
import { PgStore } from '../store/pg-store';
import { SqliteStore } from '../store/sqlite-store';
import type { LearningStore } from '../store/store';
import { PgScoreSink } from './pg-sink';
import type { ScoreSink } from './score-sink';
import { SqliteScoreSink } from './sqlite-sink';

/** The sink that writes into the same database the store reads from. */
export function openSink(store: LearningStore): ScoreSink {
  if (store instanceof SqliteStore) return new SqliteScoreSink(store);
  if (store instanceof PgStore) return new PgScoreSink(store);
  throw new AppError('INTERNAL', `no backfill writer for a ${store.kind} store`);
}
