import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProfiles, profilesFile, resolveProfile } from '../src/main/engine/store/profiles';
import { AppError } from '../src/shared/errors';

/** Writes a profiles file and returns it as an explicit source. */
function source(content: unknown): { file: string; explicit: boolean } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edutech-profiles-'));
  const file = path.join(dir, 'profiles.json');
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return { file, explicit: true };
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as AppError).code;
  }
  return undefined;
}

describe('profiles', () => {
  const none = { file: path.join(os.tmpdir(), 'no-such-dir', 'profiles.json'), explicit: false };

  it('has default and v4 built in: v4 suffixes every table, model_stats_v4 included', () => {
    const v4 = resolveProfile('v4', none);
    expect(v4).toMatchObject({ profile: 'v4', enrolments: 'enrolments_v4',
      activity: 'activity_v4', submissions: 'submissions_v4', modelStats: 'model_stats_v4' });
    expect(resolveProfile('default', none).modelStats).toBe('model_stats');
  });

  it('reads more profiles from a file, with a suffix or explicit table names', () => {
    const s = source({ profiles: { v5: { suffix: '_v5' },
      school: { tables: { activity: 'lms_clicks', modelStats: 'scores_daily' } } } });
    expect(resolveProfile('v5', s).sites).toBe('sites_v5');
    expect(resolveProfile('school', s)).toMatchObject({ activity: 'lms_clicks',
      modelStats: 'scores_daily', enrolments: 'enrolments' });
    expect([...loadProfiles(s).keys()]).toEqual(['default', 'v4', 'v5', 'school']);
  });

  it('refuses names that are not plain identifiers, before any SQL (BAD_PROFILE)', () => {
    expect(codeOf(() => resolveProfile('v4; DROP TABLE enrolments', none))).toBe('BAD_PROFILE');
    expect(codeOf(() => resolveProfile('V4', none))).toBe('BAD_PROFILE');
    expect(codeOf(() => resolveProfile('x', source({ profiles: { x: { suffix: '-v5' } } }))))
      .toBe('BAD_PROFILE');
    expect(codeOf(() => resolveProfile('x', source({ profiles: {
      x: { tables: { activity: 'activity"; --' } } } })))).toBe('BAD_PROFILE');
    expect(codeOf(() => resolveProfile('x', source({ profiles: {
      'x y': { suffix: '_a' } } })))).toBe('BAD_PROFILE');
  });

  it('refuses a malformed file, an unknown profile and a redefined built-in', () => {
    expect(codeOf(() => resolveProfile('x', source('{ not json')))).toBe('BAD_PROFILE');
    expect(codeOf(() => resolveProfile('x', source({ profiles: { x: { sufix: '_a' } } }))))
      .toBe('BAD_PROFILE');
    expect(codeOf(() => resolveProfile('nope', none))).toBe('BAD_PROFILE');
    expect(codeOf(() => resolveProfile('v4', source({ profiles: { v4: { suffix: '_x' } } }))))
      .toBe('BAD_PROFILE');
    expect(codeOf(() => resolveProfile('v4', { file: '/no/such/file.json', explicit: true })))
      .toBe('BAD_PROFILE');
  });

  it('finds the file in EDUTECH_PROFILES, else beside the SQLite store', () => {
    expect(profilesFile('/data/edutech.db', {})).toEqual({ file: '/data/profiles.json',
      explicit: false });
    expect(profilesFile('/data/edutech.db', { EDUTECH_PROFILES: '/etc/p.json' }))
      .toEqual({ file: '/etc/p.json', explicit: true });
  });
});
