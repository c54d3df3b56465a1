import { describe, expect, it } from 'vitest';
import type { Presentation } from '../store/store';
import { dateOfDay, parseDate, resolveAsOf } from './as-of-day';

const aaa: Presentation = {
  presentation: 'AAA-2013J', module: 'AAA', code: '2013J', startDate: '2013-10-01',
  lengthDays: 268, hasActivity: true, lastActivityDay: 268, lastDataDay: 300, assessments: [],
};

describe('resolveAsOf', () => {
  it('puts the end of week N on day 7N-1', () => {
    expect(resolveAsOf(aaa, { week: 1 })).toEqual({ day: 6, basis: 'week' });
    expect(resolveAsOf(aaa, { week: 10 })).toEqual({ day: 69, basis: 'week' });
  });

  it('ends the last, partial week on the last day', () => {
    // Days 0..268: weeks 1..39, and week 39 ends on day 268 rather than 272.
    expect(resolveAsOf(aaa, { week: 39 })).toEqual({ day: 268, basis: 'week' });
  });

  it.each([0, -1, 40])('refuses week %i with BAD_WEEK', (week) => {
    expect(() => resolveAsOf(aaa, { week })).toThrow(expect.objectContaining({ code: 'BAD_WEEK' }));
  });

  it('counts calendar days across the October daylight-saving change', () => {
    // 2013-10-27 is the UK clock change; 26 calendar days after the start whatever the zone.
    expect(resolveAsOf(aaa, { date: '2013-10-27' }).day).toBe(26);
    expect(resolveAsOf(aaa, { date: '2014-03-31' }).day).toBe(181);
    expect(dateOfDay('2013-10-01', 181)).toBe('2014-03-31');
  });

  it.each(['2013-02-30', '2013-1-05', '05/01/2013', 'tomorrow', '2013-10-01T00:00'])(
    'refuses %s as a date', (date) => {
      expect(() => parseDate(date)).toThrow(expect.objectContaining({ code: 'BAD_DATE' }));
    });

  it.each(['2013-09-30', '2014-06-27', '2099-01-01', ''])('refuses %s, outside the presentation',
    (date) => {
      expect(() => resolveAsOf(aaa, { date }))
        .toThrow(expect.objectContaining({ code: 'BAD_DATE' }));
    });

  it('accepts the last day', () => {
    expect(resolveAsOf(aaa, { date: '2014-06-26' })).toEqual({ day: 268, basis: 'date' });
  });

  it('uses the last day with data for a finished presentation', () => {
    const cut = { ...aaa, lastDataDay: 132 };
    expect(resolveAsOf(cut, {}, new Date('2026-12-03'))).toEqual({ day: 132, basis: 'now' });
    // Data dated past the end (late submissions) does not move "now" beyond the last day.
    expect(resolveAsOf(aaa, {}, new Date('2026-12-03'))).toEqual({ day: 268, basis: 'now' });
    expect(resolveAsOf(aaa, {}, new Date('2013-10-11'))).toEqual({ day: 10, basis: 'now' });
  });
});
