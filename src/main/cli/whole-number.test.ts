import { describe, expect, it } from 'vitest';
import { wholeNumber, wholeNumbers } from './whole-number';

describe('whole numbers on the command line', () => {
  it('reads decimal digits, with a minus left for the contract to judge', () => {
    expect(wholeNumber('5', '--to-week')).toBe(5);
    expect(wholeNumber(' 07 ', '--limit')).toBe(7);
    expect(wholeNumber('-30', '--days')).toBe(-30);
    expect(wholeNumbers('1, 5,10', '--weeks')).toEqual([1, 5, 10]);
  });

  // Each of these is a number to Number(), and none is what a person means by a week.
  it.each(['0x5', '1e1', '0b11', '0o7', '1.5', '-2.0', '+3', '', ' ', '5abc', 'Infinity',
    '9007199254740993'])('refuses "%s" with BAD_INPUT naming the option and the value', (v) => {
    expect(() => wholeNumber(v, '--to-week')).toThrow(expect.objectContaining({
      code: 'BAD_INPUT', message: `--to-week must be a whole number, not "${v}"`,
      details: { option: '--to-week', value: v } }));
  });

  it('names the bad item of a list, and refuses an empty one', () => {
    expect(() => wholeNumbers('1,0x5,3', '--weeks')).toThrow(expect.objectContaining({
      code: 'BAD_INPUT', message: '--weeks takes comma-separated whole numbers; "0x5" in '
        + '"1,0x5,3" is not one' }));
    expect(() => wholeNumbers('1,,3', '--days')).toThrow(/"" in "1,,3" is not one/);
    expect(() => wholeNumbers('1e1', '--weeks')).toThrow(/"1e1"/);
  });
});
