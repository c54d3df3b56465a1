import path from 'node:path';
import type { Command } from 'commander';
import { FEATURES } from '../../engine/features/definitions';
import { featuresMarkdown } from '../../engine/features/docs';
import type { CliContext } from '../context';
import { keyList } from '../key-list';
import { wholeNumbers } from '../whole-number';

/** `edutech models list` and `edutech features export`: the model side. */
export function registerModels(program: Command, ctx: CliContext): void {
  const models = program.command('models').description('the ONNX models and their cards');
  models
    .command('list')
    .description('list models with their metric and evaluation')
    .action(async () => {
      const result = await ctx.call('listModels', {});
      if (ctx.json()) return ctx.printJson(result);
      for (const m of result.models) {
        ctx.print(`${m.name.padEnd(20)} ${m.metric.padEnd(12)} ${m.kind.padEnd(11)} `
          + `${m.description}`);
      }
      // Exit 0 still: the usable models are listed, and a broken one fails when it is asked for.
      for (const b of result.broken) {
        ctx.print(`${b.name.padEnd(20)} BROKEN       ${b.reason}`);
      }
    });

  const features = program.command('features').description('the feature matrix');
  features
    .command('list')
    .description('list every feature with its unit and definition')
    .option('--markdown', 'print docs/features.md')
    .action((opts: { markdown?: boolean }) => {
      if (opts.markdown) {
        process.stdout.write(featuresMarkdown());
      } else if (ctx.json()) {
        ctx.printJson(FEATURES);
      } else {
        for (const f of FEATURES) {
          ctx.print(`${f.name.padEnd(24)} ${f.unit.padEnd(14)} ${f.definition}`);
        }
      }
    });
  features
    .command('export')
    .description('write features for every enrolment at given days (training input)')
    .requiredOption('-o, --out <file>', 'CSV file to write')
    .option('--presentations <keys>', 'comma-separated presentations (default: all)')
    .option('--days <days>', 'comma-separated days from 0 (default: ends of weeks 1..10); '
      + 'days after a presentation\'s last day are skipped for it')
    .action(async (opts: { out: string; presentations?: string; days?: string }) => {
      const result = await ctx.call('exportFeatures', {
        // Resolved against the working folder; a trailing slash is kept so that the engine
        // can refuse a folder path instead of writing a file of the folder's name.
        out: path.join(path.resolve(opts.out), /[\\/]$/.test(opts.out) ? path.sep : ''),
        presentations: opts.presentations === undefined ? undefined
          : keyList(opts.presentations, '--presentations'),
        days: opts.days === undefined ? undefined : wholeNumbers(opts.days, '--days'),
      });
      if (ctx.json()) return ctx.printJson(result);
      ctx.print(`wrote ${result.rows} rows to ${result.file}`);
      if (result.skippedBeyondEnd > 0) {
        ctx.print(`skipped ${result.skippedBeyondEnd} (presentation, day) pair(s) after a `
          + 'presentation\'s last day: those presentations had ended');
      }
    });
}
