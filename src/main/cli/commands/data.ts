import path from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../context';
import { abortOnCtrlC } from '../interrupt';
import { wholeNumber } from '../whole-number';

/** `edutech import …` and `edutech students …`: getting data in and finding it again. */
export function registerData(program: Command, ctx: CliContext): void {
  program
    .command('import')
    .description('import a dataset into the store')
    .argument('<format>', 'source format: oulad')
    .argument('<folder>', 'folder with the source CSV files')
    .option('-t, --target <store>', 'sqlite (default) or postgres', 'sqlite')
    .option('--profile <name>', 'table set to fill: default, v4 (the *_v4 tables), …', 'default')
    .option('--profiles <file>', 'profiles file (default: $EDUTECH_PROFILES or profiles.json '
      + 'beside the SQLite store)')
    .action(async (format: string, folder: string,
      opts: { target: string; profile: string; profiles?: string }) => {
      // The engine reads the profiles file when it resolves the profile (see profiles.ts).
      if (opts.profiles) process.env.EDUTECH_PROFILES = opts.profiles;
      // One transaction: a Ctrl+C leaves the store as it was.
      const result = await abortOnCtrlC((signal) => ctx.call('importData', {
        format, folder: path.resolve(folder), target: opts.target, profile: opts.profile,
      }, {
        signal,
        onProgress: ((e: { file: string; rows: number }) => {
          if (!ctx.json()) process.stderr.write(`  ${e.file}: ${e.rows} rows\n`);
        }) as (e: never) => void,
      }));
      if (ctx.json()) return ctx.printJson(result);
      ctx.print(`imported ${result.presentations} presentations in `
        + `${(result.durationMs / 1000).toFixed(1)} s:`);
      for (const t of result.tables) ctx.print(`  ${t.table.padEnd(14)} ${t.rows}`);
      for (const k of result.keptClicks) {
        ctx.print(`kept ${k.kept} click rows of ${k.presentation} from the earlier import: the `
          + `folder has no click file for it${k.dropped ? ` (${k.dropped} rows dropped: their `
            + 'student or site is no longer in the tables)' : ''}`);
      }
    });

  program
    .command('students')
    .description('find a student\'s enrolments (by id, or id prefix with --prefix)')
    .argument('<student>', 'student id')
    .option('--prefix', 'match ids starting with these digits')
    .option('-t, --target <store>', 'read from sqlite (default) or postgres', 'sqlite')
    .option('-n, --limit <n>', 'at most this many', '50')
    .action(async (student: string, opts: { prefix?: boolean; limit: string; target: string }) => {
      const limit = wholeNumber(opts.limit, '--limit');
      const result = await ctx.call('findStudents', {
        student, prefix: Boolean(opts.prefix), limit, target: opts.target,
      });
      if (ctx.json()) return ctx.printJson(result);
      if (result.enrolments.length === 0) return ctx.print('no enrolments found');
      for (const e of result.enrolments) {
        ctx.print(`${String(e.student).padEnd(9)} ${e.presentation.padEnd(10)} `
          + `starts ${e.startDate}  ${e.finalResult ?? '-'}`
          + `${e.hasActivity ? '' : '  (no click data)'}`);
      }
      if (result.more) {
        process.stderr.write(`(the first ${limit}; raise --limit, up to 500, for more)\n`);
      }
    });
}
