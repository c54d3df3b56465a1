import { AppError } from '../../../shared/errors';

/**
 * OULAD gives no calendar dates, only days since each presentation's start. The Open University
 * starts its 'B' presentations in February and its 'J' presentations in October, so we date day
 * 0 to the first of that month: `2013B` → 2013-02-01, `2014J` → 2014-10-01. This is a documented
 * convention (docs/data-model.md), not a fact of the data; a school importing its own LMS gives
 * real start dates instead.
 */
export function presentationStartDate(code: string): string {
  // From 1900: dates of years below 100 do not survive Date.UTC (it reads 50 as 1950).
  const match = /^((?:19|2\d)\d\d)([BJ])$/.exec(code);
  if (!match) {
    throw new AppError('IMPORT_FAILED', `presentation code "${code}" is not a year `
      + '(1900..2999) followed by B or J (like 2013J)', { code });
  }
  const month = match[2] === 'B' ? '02' : '10';
  return `${match[1]}-${month}-01`;
}

/** The presentation key used everywhere: module and code joined by a dash (`AAA-2013J`). */
export function presentationKey(module: string, code: string): string {
  return `${module}-${code}`;
}
