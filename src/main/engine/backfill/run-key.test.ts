import { describe, expect, it } from 'vitest';
import { runScope } from './run-key';
import { backfillDays } from './days';
import type { Presentation } from '../store/store';

describe('runScope', () => {
  it('names the same scope the same way whatever the order of the ids', () => {
    expect(runScope({ students: [28400, 11391, 11391], toWeek: 10 }))
      .toBe('w10/students=11391,28400');
    expect(runScope({ students: 'all', toWeek: 10, presentations: ['BBB-2013B', 'AAA-2013J'] }))
      .toBe('w10/all/presentations=AAA-2013J,BBB-2013B');
  });

  it('keeps weeks and student sets apart, and hashes long lists', () => {
    expect(runScope({ students: 'all', toWeek: 5 })).not.toBe(runScope({ students: 'all',
      toWeek: 10 }));
    const many = Array.from({ length: 500 }, (_, i) => i);
    const scope = runScope({ students: many, toWeek: 10 });
    expect(scope).toMatch(/^w10\/students#500:[0-9a-f]{16}$/);
    expect(runScope({ students: [...many].reverse(), toWeek: 10 })).toBe(scope);
    expect(runScope({ students: many.slice(1), toWeek: 10 })).not.toBe(scope);
  });
});

describe('backfillDays', () => {
  const p = (lengthDays: number) => ({ lengthDays }) as Presentation;
  it('runs from day 0 to the end of week N', () => {
    expect(backfillDays(10, p(269))).toEqual(Array.from({ length: 70 }, (_, d) => d));
    expect(backfillDays(1, p(269))).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });
  it('stops at the last day of a shorter presentation', () => {
    expect(backfillDays(10, p(40)).at(-1)).toBe(40);
  });
});
