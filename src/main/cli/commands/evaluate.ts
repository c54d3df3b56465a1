import type { Command } from 'commander';
import type { WeekMetrics } from '../../../shared/contract';
import type { CliContext } from '../context';
import { wholeNumbers } from '../whole-number';

/**
 * `edutech models evaluate <model> --presentation <P>`: the back-test behind a model card.
 * It hangs under `models`, so registerModels must have run first.
 */
export function registerEvaluate(program: Command, ctx: CliContext): void {
  const models = program.commands.find((c) => c.name() === 'models');
  if (!models) throw new Error('registerEvaluate: register the `models` command first');
  models
    .command('evaluate')
    .description('back-test a model on one presentation: metrics by week, as in its card')
    .argument('<model>', 'model name, e.g. project_2411_clf')
    .requiredOption('-p, --presentation <key>', 'presentation to score, e.g. BBB-2013J')
    .option('--weeks <weeks>', 'comma-separated weeks (default: 1..10)')
    .action(async (model: string, opts: { presentation: string; weeks?: string }) => {
      const result = await ctx.call('evaluateModel', {
        model,
        presentation: opts.presentation,
        weeks: opts.weeks === undefined ? undefined : wholeNumbers(opts.weeks, '--weeks'),
      });
      if (ctx.json()) return ctx.printJson(result);

      const card = await ctx.call('listModels', {});
      const reference = card.models.find((m) => m.name === result.model);
      const carded = new Map((result.cardPresentation ? reference?.evaluation ?? [] : [])
        .map((r) => [r.week, r]));
      ctx.print(`${result.model} (${result.metric}) on ${result.presentation}`
        + (result.trainedOn ? ' — a training presentation: figures are optimistic' : '')
        + (result.cardPresentation ? ' — the card\'s evaluation presentation' : ''));
      const keys = result.kind === 'classifier' ? ['auc', 'brier', 'ece'] : ['mae', 'mae_naive'];
      const head = ['week', 'day', 'n', ...keys, ...(carded.size ? keys.map((k) => `card_${k}`)
        : [])];
      ctx.print(head.map((h) => ` ${h}`.padStart(13)).join(''));
      for (const week of result.weeks) {
        const card = carded.get(week.week);
        const cells = [week.week, week.day, week.n, ...keys.map((k) => value(week, k)),
          ...(carded.size ? keys.map((k) => (card ? card[k] : null)) : [])];
        ctx.print(cells.map(cell).join(''));
      }
      ctx.print(`${result.weeks[0]?.n ?? 0} enrolments in ${(result.durationMs / 1000)
        .toFixed(1)} s`);
      if (result.withoutOutcome > 0) {
        ctx.print(`note: ${result.withoutOutcome} enrolments without a final result were left out`);
      }
      for (const note of result.notes) ctx.print(`note: ${note}`);
    });
}

function value(week: WeekMetrics, key: string): number | null | undefined {
  return (week as unknown as Record<string, number | null | undefined>)[key];
}

function cell(v: number | null | undefined): string {
  if (v === null || v === undefined) return '–'.padStart(13);
  return (Number.isInteger(v) ? String(v) : v.toFixed(4)).padStart(13);
}
