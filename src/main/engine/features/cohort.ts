/**
 * Where an enrolment stands among the other enrolments of its presentation, as of a day.
 *
 * Click volumes differ a lot between modules (a BBB student clicks about half as much as an
 * AAA student for the same engagement), so raw counts learned on one module transfer badly to
 * another. A rank within the presentation's own cohort on the same day does not have that
 * problem: "fewer active days than 80% of the cohort" means the same thing in every module.
 *
 * Leakage: the rank as of day d reads every enrolment's clicks on days <= d only, which is
 * information the school has on day d.
 */

/** One row per student and day with clicks: what a store returns for a whole presentation. */
export interface CohortActivity {
  /** Every enrolled student of the presentation (the denominator), clicks or not. */
  students: number[];
  /** Click rows aggregated per student and day, in any order. */
  rows: { student: number; day: number; clicks: number }[];
}

export type CohortMetric = 'active_days' | 'clicks_total' | 'clicks_last_7d';

const RECENT_DAYS = 7;

export class CohortContext {
  /** Per student: active days ascending with their clicks. */
  private readonly days: Int32Array[];
  private readonly clicks: Float64Array[];
  private readonly sorted = new Map<string, Float32Array>();

  constructor(activity: CohortActivity) {
    const byStudent = new Map<number, { day: number; clicks: number }[]>();
    for (const s of activity.students) byStudent.set(s, []);
    for (const r of activity.rows) byStudent.get(r.student)?.push(r);
    this.days = [];
    this.clicks = [];
    for (const list of byStudent.values()) {
      list.sort((a, b) => a.day - b.day);
      this.days.push(Int32Array.from(list, (r) => r.day));
      this.clicks.push(Float64Array.from(list, (r) => r.clicks));
    }
  }

  get size(): number {
    return this.days.length;
  }

  /**
   * Mid-rank of `value` in the cohort's distribution of `metric` as of `day`, 0..1: the share
   * of enrolments below it plus half the share equal to it. An empty cohort gives 0.5.
   */
  rank(metric: CohortMetric, day: number, value: number): number {
    const values = this.distribution(metric, day);
    if (values.length === 0) return 0.5;
    const below = lowerBound(values, value);
    const notAbove = lowerBound(values, value + 1e-9);
    return (below + (notAbove - below) / 2) / values.length;
  }

  /** The sorted values of a metric over the cohort as of a day, computed once per day. */
  private distribution(metric: CohortMetric, day: number): Float32Array {
    const key = `${metric}/${day}`;
    let values = this.sorted.get(key);
    if (values) return values;
    values = new Float32Array(this.days.length);
    for (let s = 0; s < this.days.length; s++) {
      values[s] = studentValue(metric, this.days[s]!, this.clicks[s]!, day);
    }
    values.sort();
    this.sorted.set(key, values);
    return values;
  }
}

function studentValue(metric: CohortMetric, days: Int32Array, clicks: Float64Array, d: number) {
  let total = 0;
  let active = 0;
  let recent = 0;
  for (let i = 0; i < days.length && days[i]! <= d; i++) {
    total += clicks[i]!;
    active++;
    if (days[i]! > d - RECENT_DAYS) recent += clicks[i]!;
  }
  return metric === 'clicks_total' ? total : metric === 'active_days' ? active : recent;
}

function lowerBound(sorted: Float32Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Cohorts per presentation, loaded once per store and dropped when an import changes the data.
 * Loading reads the presentation's click rows grouped by student and day (one query).
 *
 * Only the most recently used few are kept: jobs walk presentation by presentation, so this
 * keeps memory bounded by the largest presentation rather than growing with every enrolment
 * a backfill has scored.
 *
 * The stores decide when to clear it. SQLite notices any other connection's commit (another
 * process's import included) by its data_version. Postgres clears it after an import through
 * the same engine; known shortcoming: an import into Postgres by another process (a CLI
 * import while `serve` runs) is not seen by this process until it restarts.
 */
export class CohortCache {
  private readonly cohorts = new Map<string, Promise<CohortContext>>();

  constructor(private readonly capacity = 2) {}

  get(presentation: string, load: () => Promise<CohortActivity>): Promise<CohortContext> {
    let cohort = this.cohorts.get(presentation);
    if (cohort) {
      this.cohorts.delete(presentation); // re-inserted below as the most recent
    } else {
      cohort = load().then((activity) => new CohortContext(activity));
      cohort.catch(() => this.cohorts.delete(presentation));
    }
    this.cohorts.set(presentation, cohort);
    while (this.cohorts.size > this.capacity) {
      this.cohorts.delete(this.cohorts.keys().next().value!);
    }
    return cohort;
  }

  clear(): void {
    this.cohorts.clear();
  }
}
