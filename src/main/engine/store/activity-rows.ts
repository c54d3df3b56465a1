import type { ActivityColumns } from './store';

/** A click row as both stores return it, already sorted by student then day. */
export interface ActivityRow {
  student: number;
  day: number;
  clicks: number;
  activity_type: string;
}

/** Splits a batch's sorted click rows into per-enrolment columns in one pass. */
export function groupActivity(rows: ActivityRow[]): Map<number, ActivityColumns> {
  const out = new Map<number, ActivityColumns>();
  let start = 0;
  while (start < rows.length) {
    const student = Number(rows[start]!.student);
    let end = start;
    while (end < rows.length && Number(rows[end]!.student) === student) end++;
    const n = end - start;
    const cols: ActivityColumns = {
      day: new Int32Array(n),
      clicks: new Int32Array(n),
      activityType: new Array<string>(n),
    };
    for (let i = 0; i < n; i++) {
      const r = rows[start + i]!;
      cols.day[i] = Number(r.day);
      cols.clicks[i] = Number(r.clicks);
      cols.activityType[i] = r.activity_type;
    }
    out.set(student, cols);
    start = end;
  }
  return out;
}
