import type { EnrolmentData, LearningStore } from '../store/store';

export interface BatchOptions {
  /** Presentations to read; all of them when absent. */
  presentations?: string[];
  /** Only these students (e.g. one student for a single-student backfill). */
  students?: number[];
  /** Rows dated after this day are not read. */
  upToDay: number;
  batchSize?: number;
  signal?: AbortSignal;
}

/**
 * Streams enrolments with their rows, a batch per read, presentation by presentation. Backfill
 * and the training export both walk the store this way, so memory depends on the batch size,
 * never on the number of enrolments.
 */
export async function* enrolmentBatches(
  store: LearningStore,
  opts: BatchOptions,
): AsyncGenerator<EnrolmentData[]> {
  const size = opts.batchSize ?? 500;
  const presentations = opts.presentations ?? (await store.listPresentations());
  const wanted = opts.students ? new Set(opts.students) : undefined;
  for (const presentation of presentations) {
    let students = await store.enrolledStudents(presentation);
    if (wanted) students = students.filter((s) => wanted.has(s));
    for (let i = 0; i < students.length; i += size) {
      opts.signal?.throwIfAborted();
      yield await store.enrolmentData(presentation, students.slice(i, i + size), opts.upToDay);
    }
  }
}
