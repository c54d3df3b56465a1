import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import type { OutputOf, ProgressOf } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import type { CliContext } from '../context';
import { keyList } from '../key-list';
import { wholeNumber } from '../whole-number';

/**
 * `edutech backfill <model> <student|all>`, what `progon_users.py <model> <user_id>` (and
 * `progon_users.py <model> 0` for everyone; `progon_users_v4.py` for the v4 tables) did, in
 * batches. The bar on stderr shows enrolments, rows, scores per second and the ETA. Ctrl+C
 * stops after the current batch is committed or rolled back, says where, and exits 130; the
 * same command run again resumes there.
 */
export function registerBackfill(program: Command, ctx: CliContext): void {
  program
    .command('backfill')
    .description('score enrolments on every day up to the end of week N into model_stats')
    .argument('<model>', 'model name, e.g. project_2411_clf (see `edutech models list`)')
    .argument('<students>', 'student id, comma-separated ids, or "all"')
    .option('--profile <name>', 'table set: default, v4 (reads *_v4, writes model_stats_v4), …',
      'default')
    .option('--profiles <file>', 'profiles file (default: $EDUTECH_PROFILES or profiles.json '
      + 'beside the SQLite store)')
    .option('--to-week <n>', 'last week to score (days 0 .. 7n-1)', '10')
    .option('-t, --target <store>', 'sqlite (default) or postgres', 'sqlite')
    .option('--presentations <keys>', 'comma-separated presentations (default: all)')
    .option('--batch-size <n>', 'enrolments per batch (one read, ONNX run and commit each)')
    .option('--restart', 'ignore an unfinished run of the same scope and start over')
    .action(async (model: string, students: string, opts: BackfillOptions) => {
      if (opts.profiles) process.env.EDUTECH_PROFILES = opts.profiles;
      const input = {
        model,
        students: students === 'all' ? 'all' : parseStudents(students),
        profile: opts.profile,
        toWeek: wholeNumber(opts.toWeek, '--to-week'),
        target: opts.target,
        presentations: opts.presentations === undefined ? undefined
          : keyList(opts.presentations, '--presentations'),
        batchSize: opts.batchSize === undefined ? undefined
          : wholeNumber(opts.batchSize, '--batch-size'),
        restart: Boolean(opts.restart),
      };
      const result = await withProgress(ctx, input);
      if (ctx.json()) return ctx.printJson(result);
      const enrolments = `${result.enrolments} enrolment${result.enrolments === 1 ? '' : 's'}`;
      ctx.print(`${result.rows} scores for ${enrolments} written to ${result.table} in `
        + `${(result.durationMs / 1000).toFixed(1)} s (${result.scoresPerSecond} scores/s)`);
      if (result.resumedFrom) {
        ctx.print(`resumed after student ${result.resumedFrom.student} in `
          + `${result.resumedFrom.presentation} (${result.resumedFrom.enrolmentsDone} enrolments `
          + 'were already done)');
      }
      if (result.endingEarly) ctx.print(endingEarlyNote(input.toWeek, result.endingEarly));
    });
}

interface BackfillOptions {
  profile: string;
  profiles?: string;
  toWeek: string;
  target: string;
  presentations?: string;
  batchSize?: string;
  restart?: boolean;
}

/** "week 50 runs past the end of AAA-2013J: scored to its last day (268)", or a count. */
function endingEarlyNote(toWeek: number, early: { presentation: string; lastDay: number }[]) {
  const named = early.slice(0, 4).map((p) => `${p.presentation} (day ${p.lastDay})`).join(', ');
  const more = early.length > 4 ? ` and ${early.length - 4} more` : '';
  return `week ${toWeek} runs past the end of ${named}${more}: `
    + `${early.length === 1 ? 'it was' : 'those were'} scored to the last day`;
}

/** Digit strings, left to the contract to turn into ids: Number() here would round an id past
 * 2^53 to another student's. */
function parseStudents(text: string): string[] {
  const parts = text.split(',').map((s) => s.trim());
  if (parts.some((p) => !/^\d+$/.test(p))) {
    throw new AppError('BAD_INPUT', `"${text}" is not a student id, a comma-separated list of `
      + 'ids, or "all"', { students: text });
  }
  return parts;
}

/** Runs the backfill with a progress bar and a Ctrl+C handler that cancels between batches. */
async function withProgress(ctx: CliContext, input: object): Promise<OutputOf<'backfill'>> {
  const controller = new AbortController();
  const bar = new SingleBar({
    stream: process.stderr,
    format: 'backfill [{bar}] {percentage}% | {value}/{total} enrolments | {rows} rows | '
      + '{rate} scores/s | ETA {eta_formatted}',
    etaBuffer: 20,
    hideCursor: true,
  });
  let started = false;
  let firstRows: number | undefined;
  const since = performance.now();
  const onProgress = (e: ProgressOf<'backfill'>) => {
    // The rate counts rows written by this invocation (a resumed run starts from its cursor).
    firstRows ??= e.rows;
    const seconds = (performance.now() - since) / 1000;
    const rate = seconds > 0 ? Math.round((e.rows - firstRows) / seconds) : 0;
    if (!started) {
      bar.start(e.enrolmentsTotal, e.enrolmentsDone, { rows: e.rows, rate });
      started = true;
    } else {
      bar.update(e.enrolmentsDone, { rows: e.rows, rate });
    }
  };
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    controller.abort();
    process.stderr.write('\nstopping after the current batch (Ctrl+C again to quit at once)\n');
  };
  process.on('SIGINT', onSigint);
  try {
    return await ctx.call('backfill', input, {
      signal: controller.signal, onProgress: onProgress as (e: never) => void,
    });
  } finally {
    process.off('SIGINT', onSigint);
    if (started) bar.stop();
  }
}
