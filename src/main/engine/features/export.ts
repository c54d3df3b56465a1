import { once } from 'node:events';
import { writeReplacing } from '../output-file';
import type { LearningStore } from '../store/store';
import { FEATURE_COUNT, FEATURE_NAMES } from './definitions';
import { enrolmentBatches } from './enrolment-batches';
import { progressLabel, successLabel } from './labels';
import { computeTrajectory } from './trajectory';

export const EXPORT_META_COLUMNS = [
  'presentation', 'student', 'as_of_day', 'final_result', 'gender', 'disability',
  'label_success', 'label_progress',
] as const;

/**
 * Writes the feature matrix the training command reads: one CSV row per enrolment and day,
 * the metadata columns above, then every feature in FEATURE_NAMES order. Features come from
 * the same `computeTrajectory` that scoring and backfill use; labels read the whole enrolment
 * (that is what makes them labels), which is why they are kept in columns of their own.
 *
 * A day after a presentation's last day (`lengthDays`; OULAD rows run from day 0 to it) gets
 * no rows for that presentation: its features would describe a course that had already ended.
 * Those (presentation, day) pairs are counted in `skippedBeyondEnd`.
 */
export async function exportFeatures(
  store: LearningStore,
  out: string,
  opts: { presentations?: string[]; days: number[]; signal?: AbortSignal },
): Promise<{ rows: number; file: string; skippedBeyondEnd: number }> {
  // A day or presentation named twice is exported once.
  const days = [...new Set(opts.days)].sort((a, b) => a - b);
  const presentations = opts.presentations ? [...new Set(opts.presentations)]
    : await store.listPresentations();
  const daysWithin = new Map<string, number[]>();
  let skippedBeyondEnd = 0;
  for (const key of presentations) {
    const lastDay = (await store.presentation(key))?.lengthDays ?? Infinity;
    const within = days.filter((d) => d <= lastDay);
    daysWithin.set(key, within);
    skippedBeyondEnd += days.length - within.length;
  }

  // Through a temporary file: a cancelled export leaves the previous file as it was.
  const rows = await writeReplacing(out, async (stream) => {
    const write = async (line: string) => {
      if (!stream.write(line)) await once(stream, 'drain');
    };
    await write(`${[...EXPORT_META_COLUMNS, ...FEATURE_NAMES].join(',')}\n`);
    let rows = 0;

    // Labels need every row of the enrolment, so read up to the presentation's end (1000 days
    // is beyond any presentation) and let computeTrajectory ignore what is after each day.
    const batches = enrolmentBatches(store, { ...opts, presentations, upToDay: 1000 });
    for await (const batch of batches) {
      for (const data of batch) {
        const e = data.enrolment;
        const rowDays = daysWithin.get(e.presentation) ?? days;
        if (rowDays.length === 0) continue;
        const matrix = computeTrajectory(data, rowDays);
        const success = successLabel(data);
        const progress = progressLabel(data).toFixed(6);
        for (let r = 0; r < rowDays.length; r++) {
          const values = Array.from(matrix.subarray(r * FEATURE_COUNT, (r + 1) * FEATURE_COUNT),
            (v) => (Number.isInteger(v) ? String(v) : v.toPrecision(9)));
          await write(`${e.presentation},${e.student},${rowDays[r]},${e.finalResult ?? ''},`
            + `${e.gender ?? ''},${e.disability ?? ''},${success},${progress},`
            + `${values.join(',')}\n`);
          rows++;
        }
      }
    }
    return rows;
  });
  return { rows, file: out, skippedBeyondEnd };
}
