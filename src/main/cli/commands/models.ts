import type { Command } from 'commander';
import type { CliContext } from '../context';

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
    });

  const features = program.command('features').description('the feature matrix');
  features
    .command('export')
    .description('write features for every enrolment at given days (training input)')
    .requiredOption('-o, --out <file>', 'CSV file to write')
    .option('--presentations <keys>', 'comma-separated presentations (default: all)')
    .option('--days <days>', 'comma-separated days (default: ends of weeks 1..10)')
    .action(async (opts: { out: string; presentations?: string; days?: string }) => {
      const result = await ctx.call('exportFeatures', {
        out: opts.out,
        presentations: opts.presentations?.split(',').map((s) => s.trim()),
        days: opts.days?.split(',').map((s) => Number(s.trim())),
      });
      if (ctx.json()) return ctx.printJson(result);
      ctx.print(`wrote ${result.rows} rows to ${result.file}`);
    });
}
