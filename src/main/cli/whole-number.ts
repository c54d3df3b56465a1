import { AppError } from '../../shared/errors';

/**
 * Whole numbers typed on the command line: a week, `--to-week`, `--limit`, `--port`, `--days`.
 * Only decimal digits with an optional minus are read. `Number()` alone would also take `0x5`,
 * `1e1`, `0b11` and an empty string (as 0), none of which anyone means as a week or a count.
 * The sign is kept so that the contract, which owns the ranges, says why `-1` is refused; here
 * only the form is checked.
 */
export function wholeNumber(value: string, what: string): number {
  const n = parseWhole(value);
  if (n === undefined) {
    throw new AppError('BAD_INPUT', `${what} must be a whole number, not "${value}"`,
      { option: what, value });
  }
  return n;
}

/** A comma-separated list of whole numbers (`--weeks 1,5,10`, `--days 6,13`). */
export function wholeNumbers(list: string, what: string): number[] {
  return list.split(',').map((part) => {
    const n = parseWhole(part);
    if (n === undefined) {
      throw new AppError('BAD_INPUT', `${what} takes comma-separated whole numbers; `
        + `"${part.trim()}" in "${list}" is not one`, { option: what, value: list });
    }
    return n;
  });
}

/** Digits beyond 2^53 would round to another number: refused like any other bad form. */
function parseWhole(text: string): number | undefined {
  const trimmed = text.trim();
  const n = Number(trimmed);
  return /^-?\d+$/.test(trimmed) && Number.isSafeInteger(n) ? n : undefined;
}
