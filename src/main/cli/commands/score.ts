import type { Command } from 'commander';
import { AppError } from '../../../shared/errors';
import type { CliContext } from '../context';
import { wholeNumber } from '../whole-number';

/**
 * `edutech score <model> <student> [week|date]`, the call analysts knew as
 * `route_v4.py <model> <user_id> [week|date]`. A whole number is a week; anything else must be
 * a YYYY-MM-DD date, so a typo like `2013-1-05` is refused as a bad date instead of guessed at.
 */
export function registerScore(program: Command, ctx: CliContext): void {
  program
    .command('score')
    .description('score a student now, at the end of week N, or as of a date')
    .argument('<model>', 'model name, e.g. project_2411_clf (see `edutech models list`)')
    .argument('<student>', 'student id')
    .argument('[when]', 'week number (1, 2, …) or date YYYY-MM-DD; omitted: now')
    .option('-p, --presentation <key>',
      'presentation, e.g. AAA-2013J, when the student has several')
    .option('-t, --target <store>', 'read from sqlite (default) or postgres', 'sqlite')
    .action(async (model: string, student: string, when: string | undefined,
      opts: { presentation?: string; target: string }) => {
      const input: Record<string, unknown> = {
        model, student, presentation: opts.presentation, target: opts.target,
      };
      if (when !== undefined) {
        // 1.5 or -2.0 is a week gone wrong, not a date: BAD_INPUT says a week is whole.
        if (/^-?\d+(\.\d*)?$/.test(when)) input.week = wholeNumber(when, 'week');
        else if (/^\d{4}-\d{2}-\d{2}$/.test(when)) input.date = when;
        else {
          throw new AppError('BAD_DATE',
            `"${when}" is neither a week number (1, 2, …) nor a date YYYY-MM-DD`, { date: when });
        }
      }
      const result = await ctx.call('score', input);
      if (ctx.json()) return ctx.printJson(result);
      const at = result.basis === 'week'
        ? `end of week ${input.week}` : result.basis === 'date' ? 'as of that date' : 'now';
      ctx.print(`${result.model}  ${result.metric} = ${result.value.toFixed(4)}`);
      ctx.print(`student ${result.student} in ${result.presentation}, day ${result.asOfDay} `
        + `(${result.asOfDate}, ${at})`);
      for (const note of result.notes) ctx.print(`note: ${note}`);
    });
}
