import { createHash } from 'node:crypto';

/** Identifies a backfill run's progress record: one per model, profile and scope. */
export interface RunKey {
  model: string;
  profile: string;
  /** Which enrolments and days, as text: `w10/all`, `w10/students=11391,28400`, … */
  scope: string;
}

/** Longer student lists are hashed so the key stays short and still exact. */
const MAX_LISTED = 20;

/**
 * The scope of a run as a stable string, so the same command finds its own unfinished run
 * again and a run over other students or weeks keeps a record of its own.
 */
export function runScope(input: {
  students: number[] | 'all';
  toWeek: number;
  presentations?: string[];
}): string {
  const parts = [`w${input.toWeek}`];
  if (input.students === 'all') {
    parts.push('all');
  } else {
    const ids = [...new Set(input.students)].sort((a, b) => a - b);
    parts.push(ids.length <= MAX_LISTED ? `students=${ids.join(',')}`
      : `students#${ids.length}:${digest(ids.join(','))}`);
  }
  if (input.presentations) {
    const keys = [...new Set(input.presentations)].sort();
    const text = keys.join(',');
    parts.push(text.length <= 120 ? `presentations=${text}` : `presentations#${digest(text)}`);
  }
  return parts.join('/');
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
