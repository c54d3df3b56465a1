import { AppError } from '../../shared/errors';

/**
 * A comma-separated list of names typed on the command line (`--presentations A,B`). Spaces
 * around a name are dropped; an empty name (`A,,B`, a trailing comma) is refused, as a list of
 * numbers with a gap is, rather than read as "one fewer".
 */
export function keyList(list: string, what: string): string[] {
  const parts = list.split(',').map((part) => part.trim());
  if (parts.some((part) => part === '')) {
    throw new AppError('BAD_INPUT', `${what} takes comma-separated names; "${list}" has an `
      + 'empty one', { option: what, value: list });
  }
  return parts;
}
